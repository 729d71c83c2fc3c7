"""Content only: prompt decks, nudge texts and starter agreements, as TOML files.

This is a package so the files install with the bot; read them with
``importlib.resources.files("prompts")``. See prompts/README.md for how to write them.
"""
