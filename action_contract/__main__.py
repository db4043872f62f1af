"""`python -m action_contract` runs the command line."""

from ._cli._main import main

main()
