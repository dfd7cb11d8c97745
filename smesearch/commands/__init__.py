"""The `smesearch` commands, one module per group; smesearch/cli.py puts them together."""
