"""The `action-contract` command: one module per command and the options they share.

The top of the flow: may import any subpackage; nothing imports `_cli`.
"""
