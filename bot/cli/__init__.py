"""The `liaisonbot` command: its parser, its subcommands and the demo."""
