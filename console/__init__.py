"""The console app: the shoppers' web chat and the agents' inbox, the one public origin."""
from .app import create_app

__all__ = ["create_app"]
