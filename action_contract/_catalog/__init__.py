"""Reading Hasura metadata in every form into the frozen `Catalog`, with Hasura's metadata rules.

Holds the model (`Catalog`, `Action`, custom types), the readers (project directory, metadata export,
metadata API calls, bare SDL), locations for errors, header templates, scalars and the JSON Schema of
the types. May import only `action_contract._errors` and `action_contract._suggest`.
"""
