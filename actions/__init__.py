"""Rasa custom actions: thin glue between the dialogue and the store's domain (actions/store)."""
