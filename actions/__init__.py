"""Rasa custom actions: thin glue between the dialogue and the store domain (store/) and the
handoff service (handoff/). Collaborators are built once in actions/runtime.py."""
