"""artist profile drafts and public fields, tags, qualifications, media cases, reviews, search outbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 17:35:44.456932
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('search_outbox',
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.PrimaryKeyConstraint('artist_id', name=op.f('pk_search_outbox'))
    )
    op.create_table('tags',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['operators.id'], name=op.f('fk_tags_created_by_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('name', name=op.f('uq_tags_name'))
    )
    op.create_table('artist_profile_drafts',
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='editing', nullable=False),
    sa.Column('review_reason', sa.String(length=500), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.BigInteger(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status in ('editing','pending','approved','rejected')", name=op.f('ck_artist_profile_drafts_status')),
    sa.ForeignKeyConstraint(['artist_id'], ['artist_profiles.user_id'], name=op.f('fk_artist_profile_drafts_artist_id_artist_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by'], ['operators.id'], name=op.f('fk_artist_profile_drafts_reviewed_by_operators')),
    sa.PrimaryKeyConstraint('artist_id', name=op.f('pk_artist_profile_drafts'))
    )
    op.create_index('ix_artist_profile_drafts_status', 'artist_profile_drafts', ['status', 'submitted_at'], unique=False)
    op.create_table('artist_tags',
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('tag_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['artist_id'], ['artist_profiles.user_id'], name=op.f('fk_artist_tags_artist_id_artist_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_artist_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('artist_id', 'tag_id', name=op.f('pk_artist_tags'))
    )
    op.create_index(op.f('ix_artist_tags_tag_id'), 'artist_tags', ['tag_id'], unique=False)
    op.create_table('media_cases',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('event_type', sa.String(length=30), nullable=False),
    sa.Column('performed_on', sa.Date(), nullable=True),
    sa.Column('description', sa.String(length=1000), server_default='', nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.Column('moderation_status', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('machine_check', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('review_reason', sa.String(length=500), nullable=True),
    sa.Column('reviewed_by', sa.BigInteger(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("machine_check in ('pending','pass','review','risky')", name=op.f('ck_media_cases_machine_check')),
    sa.CheckConstraint("moderation_status in ('pending','approved','rejected')", name=op.f('ck_media_cases_moderation_status')),
    sa.ForeignKeyConstraint(['artist_id'], ['artist_profiles.user_id'], name=op.f('fk_media_cases_artist_id_artist_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by'], ['operators.id'], name=op.f('fk_media_cases_reviewed_by_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_cases'))
    )
    op.create_index('ix_media_cases_artist', 'media_cases', ['artist_id', 'position'], unique=False)
    op.create_index('ix_media_cases_queue', 'media_cases', ['moderation_status', 'created_at'], unique=False)
    op.create_table('qualifications',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('upload_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('review_reason', sa.String(length=500), nullable=True),
    sa.Column('reviewed_by', sa.BigInteger(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status in ('pending','approved','rejected')", name=op.f('ck_qualifications_status')),
    sa.ForeignKeyConstraint(['artist_id'], ['artist_profiles.user_id'], name=op.f('fk_qualifications_artist_id_artist_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by'], ['operators.id'], name=op.f('fk_qualifications_reviewed_by_operators')),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], name=op.f('fk_qualifications_upload_id_uploads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualifications')),
    sa.UniqueConstraint('upload_id', name=op.f('uq_qualifications_upload_id'))
    )
    op.create_index(op.f('ix_qualifications_artist_id'), 'qualifications', ['artist_id'], unique=False)
    op.create_table('reviews',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('client_id', sa.BigInteger(), nullable=False),
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('effect_score', sa.Integer(), nullable=False),
    sa.Column('attitude_score', sa.Integer(), nullable=False),
    sa.Column('punctuality_score', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=1000), server_default='', nullable=False),
    sa.Column('photo_upload_ids', postgresql.ARRAY(sa.String(length=36)), server_default='{}', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='visible', nullable=False),
    sa.Column('hidden_reason', sa.String(length=500), nullable=True),
    sa.Column('hidden_by', sa.BigInteger(), nullable=True),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reply', sa.String(length=500), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reply_updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status in ('visible','hidden')", name=op.f('ck_reviews_status')),
    sa.CheckConstraint('effect_score between 1 and 5 and attitude_score between 1 and 5 and punctuality_score between 1 and 5', name=op.f('ck_reviews_scores')),
    sa.ForeignKeyConstraint(['artist_id'], ['artist_profiles.user_id'], name=op.f('fk_reviews_artist_id_artist_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_reviews_booking_id_bookings')),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_reviews_client_id_users')),
    sa.ForeignKeyConstraint(['hidden_by'], ['operators.id'], name=op.f('fk_reviews_hidden_by_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_reviews_booking_id'))
    )
    op.create_index('ix_reviews_artist_created', 'reviews', ['artist_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_reviews_client_id'), 'reviews', ['client_id'], unique=False)
    op.create_table('case_media',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('case_id', sa.BigInteger(), nullable=False),
    sa.Column('upload_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('position', sa.Integer(), server_default='0', nullable=False),
    sa.Column('check_trace_id', sa.String(length=64), nullable=True),
    sa.Column('check_status', sa.String(length=16), server_default='pending', nullable=False),
    sa.CheckConstraint("check_status in ('pending','pass','review','risky')", name=op.f('ck_case_media_check_status')),
    sa.CheckConstraint("kind in ('image','video')", name=op.f('ck_case_media_kind')),
    sa.ForeignKeyConstraint(['case_id'], ['media_cases.id'], name=op.f('fk_case_media_case_id_media_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['upload_id'], ['uploads.id'], name=op.f('fk_case_media_upload_id_uploads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_media')),
    sa.UniqueConstraint('check_trace_id', name=op.f('uq_case_media_check_trace_id')),
    sa.UniqueConstraint('upload_id', name=op.f('uq_case_media_upload_id'))
    )
    op.create_index(op.f('ix_case_media_case_id'), 'case_media', ['case_id'], unique=False)
    op.add_column('artist_profiles', sa.Column('avatar_upload_id', sa.String(length=36), nullable=True))
    op.add_column('artist_profiles', sa.Column('regions', postgresql.ARRAY(sa.String(length=30)), server_default='{}', nullable=False))
    op.add_column('artist_profiles', sa.Column('active_since_year', sa.Integer(), nullable=True))
    op.add_column('artist_profiles', sa.Column('works', postgresql.ARRAY(sa.String(length=100)), server_default='{}', nullable=False))
    op.add_column('artist_profiles', sa.Column('team', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False))
    op.add_column('artist_profiles', sa.Column('travel_terms', sa.String(length=300), server_default='', nullable=False))
    op.add_column('artist_profiles', sa.Column('hide_prices', sa.Boolean(), server_default='false', nullable=False))
    op.add_column('artist_profiles', sa.Column('hide_contact', sa.Boolean(), server_default='true', nullable=False))
    op.add_column('artist_profiles', sa.Column('view_count', sa.BigInteger(), server_default='0', nullable=False))
    op.add_column('artist_profiles', sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))
    op.create_foreign_key(op.f('fk_artist_profiles_avatar_upload_id_uploads'), 'artist_profiles', 'uploads', ['avatar_upload_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    op.drop_constraint(op.f('fk_artist_profiles_avatar_upload_id_uploads'), 'artist_profiles', type_='foreignkey')
    op.drop_column('artist_profiles', 'approved_at')
    op.drop_column('artist_profiles', 'view_count')
    op.drop_column('artist_profiles', 'hide_contact')
    op.drop_column('artist_profiles', 'hide_prices')
    op.drop_column('artist_profiles', 'travel_terms')
    op.drop_column('artist_profiles', 'team')
    op.drop_column('artist_profiles', 'works')
    op.drop_column('artist_profiles', 'active_since_year')
    op.drop_column('artist_profiles', 'regions')
    op.drop_column('artist_profiles', 'avatar_upload_id')
    op.drop_index(op.f('ix_case_media_case_id'), table_name='case_media')
    op.drop_table('case_media')
    op.drop_index(op.f('ix_reviews_client_id'), table_name='reviews')
    op.drop_index('ix_reviews_artist_created', table_name='reviews')
    op.drop_table('reviews')
    op.drop_index(op.f('ix_qualifications_artist_id'), table_name='qualifications')
    op.drop_table('qualifications')
    op.drop_index('ix_media_cases_queue', table_name='media_cases')
    op.drop_index('ix_media_cases_artist', table_name='media_cases')
    op.drop_table('media_cases')
    op.drop_index(op.f('ix_artist_tags_tag_id'), table_name='artist_tags')
    op.drop_table('artist_tags')
    op.drop_index('ix_artist_profile_drafts_status', table_name='artist_profile_drafts')
    op.drop_table('artist_profile_drafts')
    op.drop_table('tags')
    op.drop_table('search_outbox')
