"""chat: conversations (one per client–artist pair), members (read cursor, block), messages (per-conversation seq,
idempotent client_msg_id per sender, jieba tokens as a 'simple' tsvector); uploads.content_type widened for office
MIME types

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 10:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column('uploads', 'content_type', type_=sa.String(length=100), existing_type=sa.String(length=50),
                    existing_nullable=False)
    op.create_table('chat_conversations',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('client_id', sa.BigInteger(), nullable=False),
    sa.Column('artist_id', sa.BigInteger(), nullable=False),
    sa.Column('last_seq', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_message_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('client_id <> artist_id', name=op.f('ck_chat_conversations_distinct_members')),
    sa.ForeignKeyConstraint(['artist_id'], ['users.id'], name=op.f('fk_chat_conversations_artist_id_users'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['users.id'], name=op.f('fk_chat_conversations_client_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_conversations')),
    sa.UniqueConstraint('client_id', 'artist_id', name=op.f('uq_chat_conversations_client_id')),
    )
    op.create_index(op.f('ix_chat_conversations_artist_id'), 'chat_conversations', ['artist_id'], unique=False)
    op.create_table('chat_members',
    sa.Column('conversation_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('read_seq', sa.Integer(), server_default='0', nullable=False),
    sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['chat_conversations.id'],
                            name=op.f('fk_chat_members_conversation_id_chat_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_chat_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', 'user_id', name=op.f('pk_chat_members')),
    )
    op.create_index(op.f('ix_chat_members_user_id'), 'chat_members', ['user_id'], unique=False)
    op.create_table('chat_messages',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('conversation_id', sa.BigInteger(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('attachment_key', sa.String(length=200), nullable=True),
    sa.Column('attachment_name', sa.String(length=200), nullable=True),
    sa.Column('attachment_size', sa.BigInteger(), nullable=True),
    sa.Column('attachment_mime', sa.String(length=100), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('booking_id', sa.BigInteger(), nullable=True),
    sa.Column('client_msg_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('tokens', sa.Text(), server_default='', nullable=False),
    sa.Column('tsv', postgresql.TSVECTOR(), sa.Computed("to_tsvector('simple'::regconfig, tokens)", persisted=True),
              nullable=True),
    sa.CheckConstraint("kind IN ('text', 'image', 'voice', 'file')", name=op.f('ck_chat_messages_kind')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_chat_messages_booking_id_bookings'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['chat_conversations.id'],
                            name=op.f('fk_chat_messages_conversation_id_chat_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sender_id'], ['users.id'], name=op.f('fk_chat_messages_sender_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chat_messages')),
    sa.UniqueConstraint('conversation_id', 'seq', name=op.f('uq_chat_messages_conversation_id')),
    sa.UniqueConstraint('sender_id', 'client_msg_id', name=op.f('uq_chat_messages_sender_id')),
    )
    op.create_index('ix_chat_messages_tsv', 'chat_messages', ['tsv'], unique=False, postgresql_using='gin')
    op.create_index('ix_chat_messages_sender_id_created_at', 'chat_messages', ['sender_id', 'created_at'],
                    unique=False)
    op.create_index('ix_chat_messages_conversation_id_id', 'chat_messages', ['conversation_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_table('chat_messages')
    op.drop_table('chat_members')
    op.drop_table('chat_conversations')
    op.alter_column('uploads', 'content_type', type_=sa.String(length=50), existing_type=sa.String(length=100),
                    existing_nullable=False)
