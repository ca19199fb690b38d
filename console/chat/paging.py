"""Pages of a conversation's history: at most `limit` messages after a cursor (what a page
missed: oldest first) or before one (scrolling back), and whether more are there. The cursors
are message ids checked by input.message_id, so nothing out of the database's range reaches SQL."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Optional

from helpdesk import MessageStore

from .service import message_json


@dataclass(frozen=True)
class PageRequest:
    after: Optional[int]
    before: Optional[int]
    limit: int


async def read_page(messages: MessageStore, conversation_id: str, request: PageRequest) -> dict:
    """{messages: oldest first, more: whether the history goes on past this page}."""
    if request.before is None:
        found = await asyncio.to_thread(messages.since, conversation_id, request.after or 0, request.limit + 1)
        more = len(found) > request.limit
        found = found[:request.limit]
    else:
        older = await asyncio.to_thread(messages.before, conversation_id, request.before, request.limit + 1,
                                        request.after or 0)
        more = len(older) > request.limit
        found = older[-request.limit:]
    return {"messages": [message_json(m) for m in found], "more": more}
