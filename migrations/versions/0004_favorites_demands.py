"""discovery: favorite_artists, favorite_demands, demands (moderated 需求), demand_responses

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 00:46:06.431093
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('demands',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('client_id', sa.BigInteger(), nullable=False),
    sa.Column('event_type', sa.String(length=30), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=40), server_default='Asia/Shanghai', nullable=False),
    sa.Column('city', sa.String(length=30), nullable=False),
    sa.Column('venue_address', sa.String(length=200), server_default='', nullable=False),
    sa.Column('audience_size', sa.Integer(), nullable=True),
    sa.Column('budget_min_amount', sa.BigInteger(), nullable=False),
    sa.Column('budget_max_amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False),
    sa.Column('artist_types', postgresql.ARRAY(sa.String(length=20)), nullable=False),
    sa.Column('description', sa.Text(), server_default='', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('moderation_status', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('review_reason', sa.String(length=500), nullable=True),
    sa.Column('reviewed_by', sa.BigInteger(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("moderation_status in ('pending','approved','rejected')", name=op.f('ck_demands_moderation_status')),
    sa.CheckConstraint("status in ('open','closed')", name=op.f('ck_demands_status')),
    sa.CheckConstraint('budget_min_amount >= 0 and budget_max_amount >= budget_min_amount', name=op.f('ck_demands_budget')),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_demands_times')),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_demands_client_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['operators.id'], name=op.f('fk_demands_reviewed_by_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demands'))
    )
    op.create_index(op.f('ix_demands_client_id'), 'demands', ['client_id'], unique=False)
    op.create_index('ix_demands_listing', 'demands', ['moderation_status', 'status', 'start_at'], unique=False)
    op.create_index('ix_demands_types', 'demands', ['artist_types'], unique=False, postgresql_using='gin')
    op.create_table('favorite_artists',
    sa.Column('client_id', sa.BigInteger(), nullable=False),
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['artist_profiles.user_id'], name=op.f('fk_favorite_artists_artist_id_artist_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_favorite_artists_client_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('client_id', 'artist_id', name=op.f('pk_favorite_artists'))
    )
    op.create_index(op.f('ix_favorite_artists_artist_id'), 'favorite_artists', ['artist_id'], unique=False)
    op.create_table('favorite_demands',
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('demand_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['users.id'], name=op.f('fk_favorite_demands_artist_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], name=op.f('fk_favorite_demands_demand_id_demands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('artist_id', 'demand_id', name=op.f('pk_favorite_demands'))
    )
    op.create_index(op.f('ix_favorite_demands_demand_id'), 'favorite_demands', ['demand_id'], unique=False)
    op.create_table('demand_responses',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('demand_id', sa.BigInteger(), nullable=False),
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('message', sa.String(length=500), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['users.id'], name=op.f('fk_demand_responses_artist_id_users')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_demand_responses_booking_id_bookings')),
    sa.ForeignKeyConstraint(['demand_id'], ['demands.id'], name=op.f('fk_demand_responses_demand_id_demands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_responses')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_demand_responses_booking_id')),
    sa.UniqueConstraint('demand_id', 'artist_id', name='uq_demand_responses_artist')
    )
    op.create_index(op.f('ix_demand_responses_artist_id'), 'demand_responses', ['artist_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_demand_responses_artist_id'), table_name='demand_responses')
    op.drop_table('demand_responses')
    op.drop_index(op.f('ix_favorite_demands_demand_id'), table_name='favorite_demands')
    op.drop_table('favorite_demands')
    op.drop_index(op.f('ix_favorite_artists_artist_id'), table_name='favorite_artists')
    op.drop_table('favorite_artists')
    op.drop_index('ix_demands_types', table_name='demands', postgresql_using='gin')
    op.drop_index('ix_demands_listing', table_name='demands')
    op.drop_index(op.f('ix_demands_client_id'), table_name='demands')
    op.drop_table('demands')
