"""`python -m action_contract` runs the command line."""

from ._cli import main

main()
