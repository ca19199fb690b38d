"""The one handoff service, used by the action server and the console app alike: the reasons,
the due time from the live store configuration, the ticket write and the text the shopper is told.

Layers: above the helpdesk's storage and the store domain, below the console and the actions."""
from .reasons import Reason
from .service import HandoffResult, HandoffService, tracker_turn

__all__ = ["HandoffResult", "HandoffService", "Reason", "tracker_turn"]
