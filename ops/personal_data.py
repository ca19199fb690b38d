"""Where one conversation's personal data lies, and erasing it everywhere: Rasa's events, the
helpdesk's messages and tickets (open ones too — erasing is asked for explicitly; the retention
purge never passes it one). Shared by the retention purge and `make forget`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from helpdesk import Database, MessageStore, ReviewDecisions, TicketStore, open_database
from store import CHINA
from tuning import OwnerLabels

from .site import Site
from .tracker_events import TrackerEvents


@dataclass
class Erased:
    """What erasing removed: counts and ticket numbers, never text."""
    conversation_id: str
    events: int = 0
    messages: int = 0
    tickets: list = field(default_factory=list)
    review_decisions: int = 0
    owner_examples: int = 0

    def add(self, other: "Erased") -> None:
        self.events += other.events
        self.messages += other.messages
        self.tickets += other.tickets
        self.review_decisions += other.review_decisions
        self.owner_examples += other.owner_examples

    @property
    def anything(self) -> bool:
        return bool(self.events or self.messages or self.tickets or self.review_decisions or self.owner_examples)


class PersonalData:
    """The stores holding what shoppers said. `labels` (the owner's training file) is only
    needed to forget a shopper; the purge leaves the owner's masked examples alone."""

    def __init__(self, tracker: TrackerEvents, db: Database, labels: Optional[OwnerLabels] = None) -> None:
        self.tracker, self.db, self.labels = tracker, db, labels
        self.messages, self.tickets, self.decisions = MessageStore(db), TicketStore(db), ReviewDecisions(db)

    @classmethod
    def open(cls, site: Site, with_labels: bool = True) -> "PersonalData":
        # the domain and held-out files are the code's; the examples file is the installation's
        labels = OwnerLabels(file=site.owner_labels) if with_labels else None
        return cls(TrackerEvents(site.tracker.url), open_database(site.helpdesk.url, zone=CHINA), labels)

    def close(self) -> None:
        self.tracker.dispose()
        self.db.dispose()

    def shopper_texts(self, conversation_id: str) -> list[str]:
        """What the shopper wrote, from both records (a REST conversation is only in Rasa's
        until its handoff; the web chat's messages are in both)."""
        texts = self.tracker.shopper_texts(conversation_id)
        texts += [m.text for m in self.messages.since(conversation_id) if m.sender == "shopper"]
        return list(dict.fromkeys(texts))

    def erase(self, conversation_id: str) -> Erased:
        return Erased(conversation_id,
                      events=self.tracker.delete_sender(conversation_id),
                      messages=self.messages.delete_conversation(conversation_id),
                      tickets=self.tickets.delete_conversation(conversation_id))
