"""system settings history

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 04:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every change of a platform rule (系统设置): who, when, the value before and after.
    op.create_table('setting_changes',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('after', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('operator_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_setting_changes_operator_id_operators'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_setting_changes'))
    )
    op.create_index('ix_setting_changes_key_created', 'setting_changes', ['key', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_setting_changes_key_created', table_name='setting_changes')
    op.drop_table('setting_changes')
