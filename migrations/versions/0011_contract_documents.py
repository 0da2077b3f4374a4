"""e-contract templates, documents, signing evidence

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 22:00:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contract_templates',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_templates')),
    sa.UniqueConstraint('version', name=op.f('uq_contract_templates_version'))
    )
    op.create_table('contract_documents',
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('template_id', sa.BigInteger(), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('terms', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('unsigned_key', sa.String(length=200), nullable=False),
    sa.Column('unsigned_sha256', sa.String(length=64), nullable=False),
    sa.Column('sealed_key', sa.String(length=200), nullable=True),
    sa.Column('sealed_sha256', sa.String(length=64), nullable=True),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_contract_documents_booking_id_bookings'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['contract_templates.id'],
                            name=op.f('fk_contract_documents_template_id_contract_templates')),
    sa.PrimaryKeyConstraint('booking_id', name=op.f('pk_contract_documents'))
    )
    op.create_index(op.f('ix_contract_documents_sealed_sha256'), 'contract_documents', ['sealed_sha256'],
                    unique=False)
    op.create_table('contract_sign_codes',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('consumed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("side in ('client','artist')", name=op.f('ck_contract_sign_codes_side')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_contract_sign_codes_booking_id_bookings'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_contract_sign_codes_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_sign_codes'))
    )
    op.create_index('ix_contract_sign_codes_booking_user', 'contract_sign_codes',
                    ['booking_id', 'user_id', 'created_at'], unique=False)
    op.create_table('contract_signature_evidence',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('booking_id', sa.BigInteger(), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('signer_id', sa.BigInteger(), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=False),
    sa.Column('sms_confirmation_id', sa.BigInteger(), nullable=False),
    sa.Column('phone_masked', sa.String(length=20), nullable=False),
    sa.CheckConstraint("side in ('client','artist')", name=op.f('ck_contract_signature_evidence_side')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'],
                            name=op.f('fk_contract_signature_evidence_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sms_confirmation_id'], ['contract_sign_codes.id'],
                            name=op.f('fk_contract_signature_evidence_sms_confirmation_id_contract_sign_codes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_signature_evidence')),
    sa.UniqueConstraint('booking_id', 'side', name='uq_contract_signature_evidence_side')
    )


def downgrade() -> None:
    op.drop_table('contract_signature_evidence')
    op.drop_index('ix_contract_sign_codes_booking_user', table_name='contract_sign_codes')
    op.drop_table('contract_sign_codes')
    op.drop_index(op.f('ix_contract_documents_sealed_sha256'), table_name='contract_documents')
    op.drop_table('contract_documents')
    op.drop_table('contract_templates')
