"""The console app: the shoppers' web chat, the agents' inbox and the owner console; the one public origin."""
from .app import create_app

__all__ = ["create_app"]
