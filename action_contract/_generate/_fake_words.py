"""Word lists the fake values are made of: short, plausible, and obviously sample data."""

FIRST = ("Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Dennis", "Barbara", "Edsger", "Radia")
LAST = ("Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Dijkstra", "Perlman")
DOMAINS = ("example.com", "example.org", "mail.example.net")
ADJECTIVES = ("Classic", "Compact", "Everyday", "Vintage", "Lightweight", "Premium", "Organic", "Smart")
MATERIALS = ("Cotton", "Oak", "Steel", "Leather", "Ceramic", "Bamboo", "Wool", "Glass")
ITEMS = ("Shirt", "Lamp", "Backpack", "Mug", "Chair", "Headphones", "Notebook", "Sneakers")
COMPANIES = ("Acme Corp", "Globex", "Initech", "Hooli", "Stark Industries", "Wayne Enterprises")
SENTENCES = (
    "Arrived on time and well packaged.", "Please leave the parcel with the neighbour.", "Works exactly as described.",
    "Customer asked to change the delivery address.", "Great value for the price.",
    "The colour is slightly darker than in the photos.", "Updated after the support call on Monday.",
    "Out of stock at the moment, back next week.",
)  # fmt: skip
STREETS = ("Baker Street", "Market Street", "Oak Avenue", "Rue de Rivoli", "Elm Road", "Harbour Lane")
COUNTRIES = (("DE", "Germany"), ("GB", "United Kingdom"), ("FR", "France"), ("US", "United States"), ("JP", "Japan"))
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CENTS = (0.0, 0.0, 0.5, 0.99, 0.95, 0.49, 0.25)
