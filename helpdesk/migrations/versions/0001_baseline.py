"""baseline: the helpdesk schema as it was before migrations

Tickets, messages, the owner's records, review decisions and the console's two lease tables
(helpdesk/migrations/baseline.py, frozen).

Revision ID: 0001
Revises:
"""
from alembic import op

from helpdesk.migrations.baseline import baseline_metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    baseline_metadata().create_all(op.get_bind())


def downgrade() -> None:
    baseline_metadata().drop_all(op.get_bind())
