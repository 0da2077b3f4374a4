"""database backups

One row per pg_dump run (the daily Temporal Schedule or an operator's 立即备份): its object in storage, size,
SHA-256, status and error.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 04:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('backups',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('workflow_id', sa.String(length=200), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('requested_by', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='running', nullable=False),
    sa.Column('key', sa.String(length=300), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('server_version', sa.String(length=40), nullable=True),
    sa.Column('error', sa.String(length=1000), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status in ('running','succeeded','failed','expired')", name=op.f('ck_backups_status')),
    sa.CheckConstraint("trigger in ('schedule','manual')", name=op.f('ck_backups_trigger')),
    sa.ForeignKeyConstraint(['requested_by'], ['operators.id'], name=op.f('fk_backups_requested_by_operators'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_backups')),
    sa.UniqueConstraint('workflow_id', name=op.f('uq_backups_workflow_id'))
    )
    op.create_index('ix_backups_started_at', 'backups', ['started_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_backups_started_at', table_name='backups')
    op.drop_table('backups')
