"""login attempts and job leases shared by console instances

console_login_attempts: failed logins and ended sessions when there is no Redis
(console/attempt_log.py); console_job_leases: one console instance at a time runs a scheduled
job such as the retention purge (console/retention_job.py).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 04:59:28.930587

Runs on SQLite and PostgreSQL, inside the caller's locked transaction (helpdesk.db.migrate): use
`op.batch_alter_table` for column changes (SQLite has no ALTER COLUMN), and never import the
current tables from helpdesk.schema (a revision describes its own step; the model moves on).
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('console_job_leases',
    sa.Column('conversation_id', sa.String(length=200), nullable=False),
    sa.Column('holder', sa.String(length=32), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('conversation_id')
    )
    op.create_table('console_login_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('forget_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('console_login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_console_login_attempts_forget_at', ['forget_at'], unique=False)
        batch_op.create_index('ix_console_login_attempts_key_at', ['key', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('console_login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_console_login_attempts_key_at')
        batch_op.drop_index('ix_console_login_attempts_forget_at')

    op.drop_table('console_login_attempts')
    op.drop_table('console_job_leases')
