"""Subcommands of the mahnwerk command, one module each."""
