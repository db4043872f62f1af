"""The pytest adapter of action-contract: `pytest --action-contract` (off unless asked for)."""
