"""accounts, profiles, price lists, calendar slots, sessions, SMS codes, real-name, settings

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 23:03:56.341632
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # btree_gist: the no-double-booking exclusion constraint; pg_trgm: name search later.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('operators',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=40), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['operators.id'], name=op.f('fk_operators_created_by_operators')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operators')),
    sa.UniqueConstraint('username', name=op.f('uq_operators_username'))
    )
    op.create_table('phone_locks',
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('phone', name=op.f('pk_phone_locks'))
    )
    op.create_table('sms_codes',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('consumed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_codes'))
    )
    op.create_index('ix_sms_codes_ip_created', 'sms_codes', ['ip', 'created_at'], unique=False)
    op.create_index('ix_sms_codes_phone_created', 'sms_codes', ['phone', 'created_at'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('wechat_openid', sa.String(length=64), nullable=True),
    sa.Column('wechat_unionid', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('verification_status', sa.String(length=16), server_default='unverified', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status in ('active','warned','banned')", name=op.f('ck_users_status')),
    sa.CheckConstraint("verification_status in ('unverified','pending','verified','rejected')", name=op.f('ck_users_verification_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('phone', name=op.f('uq_users_phone')),
    sa.UniqueConstraint('wechat_openid', name=op.f('uq_users_wechat_openid'))
    )
    op.create_table('account_status_changes',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('operator_id', sa.BigInteger(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_account_status_changes_operator_id_operators')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_status_changes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_status_changes'))
    )
    op.create_index(op.f('ix_account_status_changes_user_id'), 'account_status_changes', ['user_id'], unique=False)
    op.create_table('artist_profiles',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('stage_name', sa.String(length=50), nullable=False),
    sa.Column('artist_types', postgresql.ARRAY(sa.String(length=20)), nullable=False),
    sa.Column('styles', postgresql.ARRAY(sa.String(length=30)), server_default='{}', nullable=False),
    sa.Column('city', sa.String(length=30), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('contact_wechat', sa.String(length=50), nullable=True),
    sa.Column('bio', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_artist_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_artist_profiles'))
    )
    op.create_index('ix_artist_profiles_city', 'artist_profiles', ['city'], unique=False)
    op.create_index('ix_artist_profiles_types', 'artist_profiles', ['artist_types'], unique=False, postgresql_using='gin')
    op.create_table('auth_sessions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('operator_id', sa.BigInteger(), nullable=True),
    sa.Column('acting_role', sa.String(length=16), nullable=True),
    sa.Column('refresh_token_hash', sa.String(length=64), nullable=False),
    sa.Column('previous_refresh_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.CheckConstraint('(user_id is null) <> (operator_id is null)', name=op.f('ck_auth_sessions_one_subject')),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_auth_sessions_operator_id_operators'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auth_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_sessions')),
    sa.UniqueConstraint('refresh_token_hash', name=op.f('uq_auth_sessions_refresh_token_hash'))
    )
    op.create_index(op.f('ix_auth_sessions_previous_refresh_hash'), 'auth_sessions', ['previous_refresh_hash'], unique=False)
    op.create_index(op.f('ix_auth_sessions_user_id'), 'auth_sessions', ['user_id'], unique=False)
    op.create_table('client_profiles',
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('org_name', sa.String(length=100), nullable=False),
    sa.Column('industry', sa.String(length=32), nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_client_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_client_profiles'))
    )
    op.create_table('system_settings',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by'], ['operators.id'], name=op.f('fk_system_settings_updated_by_operators')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_system_settings'))
    )
    op.create_table('uploads',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('purpose', sa.String(length=30), nullable=False),
    sa.Column('object_key', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_uploads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads'))
    )
    op.create_index(op.f('ix_uploads_user_id'), 'uploads', ['user_id'], unique=False)
    op.create_table('artist_prices',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('min_amount', sa.BigInteger(), nullable=False),
    sa.Column('max_amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), server_default='CNY', nullable=False),
    sa.Column('negotiable', sa.Boolean(), server_default='false', nullable=False),
    sa.CheckConstraint('min_amount >= 0 and max_amount >= min_amount', name=op.f('ck_artist_prices_amounts')),
    sa.ForeignKeyConstraint(['artist_id'], ['artist_profiles.user_id'], name=op.f('fk_artist_prices_artist_id_artist_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_artist_prices'))
    )
    op.create_index(op.f('ix_artist_prices_artist_id'), 'artist_prices', ['artist_id'], unique=False)
    op.create_table('calendar_slots',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('period', postgresql.TSTZRANGE(), nullable=False),
    sa.Column('timezone', sa.String(length=40), server_default='Asia/Shanghai', nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    postgresql.ExcludeConstraint((sa.column('artist_id'), '='), (sa.column('period'), '&&'), where=sa.text("status in ('held','booked')"), using='gist', name='no_double_booking'),
    sa.CheckConstraint("status in ('available','held','booked','rest','unavailable')", name=op.f('ck_calendar_slots_status')),
    sa.ForeignKeyConstraint(['artist_id'], ['artist_profiles.user_id'], name=op.f('fk_calendar_slots_artist_id_artist_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_slots'))
    )
    op.create_index('ix_calendar_slots_artist_period', 'calendar_slots', ['artist_id', 'period'], unique=False, postgresql_using='gist')
    op.create_table('real_name_verifications',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('subject', sa.String(length=16), nullable=False),
    sa.Column('legal_name_cipher', sa.LargeBinary(), nullable=False),
    sa.Column('legal_name_masked', sa.String(length=40), nullable=False),
    sa.Column('id_number_cipher', sa.LargeBinary(), nullable=False),
    sa.Column('id_number_hash', sa.String(length=64), nullable=False),
    sa.Column('id_number_masked', sa.String(length=20), nullable=False),
    sa.Column('licence_upload_id', sa.String(length=36), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='pending', nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('provider', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status in ('pending','verified','rejected')", name=op.f('ck_real_name_verifications_status')),
    sa.ForeignKeyConstraint(['licence_upload_id'], ['uploads.id'], name=op.f('fk_real_name_verifications_licence_upload_id_uploads')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_real_name_verifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_real_name_verifications'))
    )
    op.create_index(op.f('ix_real_name_verifications_user_id'), 'real_name_verifications', ['user_id'], unique=False)
    op.create_index('uq_real_name_id_hash_active', 'real_name_verifications', ['id_number_hash'], unique=True, postgresql_where=sa.text("status in ('pending','verified')"))
    op.execute(
        "INSERT INTO system_settings (key, value) VALUES "
        "('booking.require_verification', 'true'::jsonb) ON CONFLICT DO NOTHING"
    )


def downgrade() -> None:
    op.drop_index('uq_real_name_id_hash_active', table_name='real_name_verifications', postgresql_where=sa.text("status in ('pending','verified')"))
    op.drop_index(op.f('ix_real_name_verifications_user_id'), table_name='real_name_verifications')
    op.drop_table('real_name_verifications')
    op.drop_index('ix_calendar_slots_artist_period', table_name='calendar_slots', postgresql_using='gist')
    op.drop_table('calendar_slots')
    op.drop_index(op.f('ix_artist_prices_artist_id'), table_name='artist_prices')
    op.drop_table('artist_prices')
    op.drop_index(op.f('ix_uploads_user_id'), table_name='uploads')
    op.drop_table('uploads')
    op.drop_table('system_settings')
    op.drop_table('client_profiles')
    op.drop_index(op.f('ix_auth_sessions_user_id'), table_name='auth_sessions')
    op.drop_index(op.f('ix_auth_sessions_previous_refresh_hash'), table_name='auth_sessions')
    op.drop_table('auth_sessions')
    op.drop_index('ix_artist_profiles_types', table_name='artist_profiles', postgresql_using='gin')
    op.drop_index('ix_artist_profiles_city', table_name='artist_profiles')
    op.drop_table('artist_profiles')
    op.drop_index(op.f('ix_account_status_changes_user_id'), table_name='account_status_changes')
    op.drop_table('account_status_changes')
    op.drop_table('users')
    op.drop_index('ix_sms_codes_phone_created', table_name='sms_codes')
    op.drop_index('ix_sms_codes_ip_created', table_name='sms_codes')
    op.drop_table('sms_codes')
    op.drop_table('phone_locks')
    op.drop_table('operators')
