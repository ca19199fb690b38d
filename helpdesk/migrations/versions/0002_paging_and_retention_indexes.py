"""indexes for paging messages, for the dashboard and for retention

- helpdesk_messages (conversation_id, id): a conversation's messages either way from a cursor
  without a sort (paging); it replaces the index on conversation_id alone, which it covers, so
  the busiest table gets no extra index to write. (conversation_id, created_at) for retention was
  measured and left out: a whole pass over 200 000 messages gained ~10% on SQLite, nothing on
  PostgreSQL (python -m helpdesk.migrations.figures).
- helpdesk_tickets (created_at): the dashboard's ticket timings; (conversation_id): a
  conversation's tickets, closed ones too (the partial unique index holds only the open one), for
  the retention purge and forgetting a conversation.

A plain CREATE INDEX holds writes to the table while it builds (python -m helpdesk.migrations.figures
measures it); a very large PostgreSQL table would want CREATE INDEX CONCURRENTLY by hand first.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("helpdesk_message_conversation_page", "helpdesk_messages", ["conversation_id", "id"])
    op.drop_index("ix_helpdesk_messages_conversation_id", table_name="helpdesk_messages")
    op.create_index("helpdesk_ticket_created", "helpdesk_tickets", ["created_at"])
    op.create_index("helpdesk_ticket_conversation", "helpdesk_tickets", ["conversation_id"])


def downgrade() -> None:
    op.drop_index("helpdesk_ticket_conversation", table_name="helpdesk_tickets")
    op.drop_index("helpdesk_ticket_created", table_name="helpdesk_tickets")
    op.create_index("ix_helpdesk_messages_conversation_id", "helpdesk_messages", ["conversation_id"])
    op.drop_index("helpdesk_message_conversation_page", table_name="helpdesk_messages")
