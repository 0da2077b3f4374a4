"""help centre articles and complaint tickets

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 10:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('help_articles',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sort_order', sa.Integer(), server_default='0', nullable=False),
    sa.Column('published', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('tokens', sa.Text(), server_default='', nullable=False),
    sa.Column('tsv', postgresql.TSVECTOR(), sa.Computed("to_tsvector('simple'::regconfig, tokens)", persisted=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_articles')),
    )
    op.create_index(op.f('ix_help_articles_category'), 'help_articles', ['category'])
    op.create_index('ix_help_articles_tsv', 'help_articles', ['tsv'], postgresql_using='gin')

    op.create_table('complaints',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('target_type', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('body', sa.String(length=1000), nullable=False),
    sa.Column('photos', postgresql.ARRAY(sa.String(length=40)), server_default='{}', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('assignee_id', sa.BigInteger(), nullable=True),
    sa.Column('result', sa.String(length=1000), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_complaints_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assignee_id'], ['operators.id'], name=op.f('fk_complaints_assignee_id_operators'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    )
    op.create_index(op.f('ix_complaints_user_id'), 'complaints', ['user_id'])
    op.create_index(op.f('ix_complaints_status'), 'complaints', ['status'])
    op.create_index(op.f('ix_complaints_assignee_id'), 'complaints', ['assignee_id'])
    op.create_index('ix_complaints_target', 'complaints', ['target_type', 'target_id'])

    op.create_table('complaint_replies',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('complaint_id', sa.BigInteger(), nullable=False),
    sa.Column('author', sa.String(length=10), nullable=False),
    sa.Column('operator_id', sa.BigInteger(), nullable=True),
    sa.Column('body', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_replies_complaint_id_complaints'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_complaint_replies_operator_id_operators'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_replies')),
    )
    op.create_index(op.f('ix_complaint_replies_complaint_id'), 'complaint_replies', ['complaint_id'])


def downgrade() -> None:
    op.drop_table('complaint_replies')
    op.drop_table('complaints')
    op.drop_table('help_articles')
