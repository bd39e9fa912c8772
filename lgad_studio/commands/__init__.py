"""Headless subcommands of `lgad-studio`, one module each."""
