"""operator roles, permissions and audit log

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 04:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# The built-in roles as they were when this migration was written (domain.accounts.roles.BUILTIN_ROLES; a test
# compares the two). Later edits are the operators' own and are kept.
_ALL = [
    'admin:user:list', 'admin:user:status', 'admin:user:export', 'admin:artist:list', 'admin:artist:export',
    'admin:pii:view', 'admin:order:list', 'admin:order:intervene', 'admin:dispute:resolve',
    'admin:complaint:handle', 'admin:contract:template', 'admin:content:profile', 'admin:content:case', 'admin:content:demand',
    'admin:content:review', 'admin:content:qualification', 'admin:content:tag', 'admin:content:home',
    'admin:content:announcement', 'admin:content:help', 'admin:finance:flow', 'admin:finance:settlement', 'admin:finance:payout',
    'admin:finance:reconciliation', 'admin:dashboard:view', 'admin:system:settings', 'admin:system:integration',
    'admin:system:backup', 'admin:system:operator', 'admin:system:role', 'admin:system:audit',
    'admin:system:temporal_ui',
]
_CONTENT = [c for c in _ALL if c.startswith('admin:content:')]
_FINANCE = [c for c in _ALL if c.startswith('admin:finance:')]


def _in_order(codes):
    return [c for c in _ALL if c in set(codes)]


BUILTIN = [
    ('super_admin', '超级管理员', _ALL),
    ('operations', '运营', _in_order(['admin:user:list', 'admin:user:status', 'admin:user:export',
                                     'admin:artist:list', 'admin:artist:export', 'admin:order:list',
                                     'admin:order:intervene', 'admin:complaint:handle',
                                     'admin:contract:template', *_CONTENT,
                                     'admin:dashboard:view'])),
    ('support', '客服', _in_order(['admin:user:list', 'admin:artist:list', 'admin:order:list',
                                  'admin:order:intervene', 'admin:dispute:resolve', 'admin:complaint:handle',
                                  'admin:content:review', 'admin:content:help'])),
    ('finance', '财务', _in_order([*_FINANCE, 'admin:order:list', 'admin:dashboard:view'])),
    ('reviewer', '审核', _in_order(['admin:content:profile', 'admin:content:case', 'admin:content:demand',
                                   'admin:content:review', 'admin:content:qualification', 'admin:content:tag'])),
]


def upgrade() -> None:
    roles = op.create_table('roles',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('permissions', postgresql.ARRAY(sa.String(length=60)), server_default='{}', nullable=False),
    sa.Column('builtin', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roles')),
    sa.UniqueConstraint('code', name=op.f('uq_roles_code'))
    )
    op.bulk_insert(roles, [{'code': c, 'name': n, 'permissions': p, 'builtin': True} for c, n, p in BUILTIN])

    # Every operator so far could do everything: they become super admins.
    op.add_column('operators', sa.Column('role_id', sa.BigInteger(), nullable=True))
    op.execute("UPDATE operators SET role_id = (SELECT id FROM roles WHERE code = 'super_admin')")
    op.alter_column('operators', 'role_id', nullable=False)
    op.create_foreign_key(op.f('fk_operators_role_id_roles'), 'operators', 'roles', ['role_id'], ['id'])
    op.create_index(op.f('ix_operators_role_id'), 'operators', ['role_id'], unique=False)

    op.create_table('audit_logs',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('operator_id', sa.BigInteger(), nullable=True),
    sa.Column('action', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.Column('target_type', sa.String(length=60), nullable=True),
    sa.Column('target_id', sa.String(length=100), nullable=True),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.Column('request', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('source', sa.String(length=16), server_default='console', nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("source in ('console','temporal_ui','system')", name=op.f('ck_audit_logs_source')),
    sa.ForeignKeyConstraint(['operator_id'], ['operators.id'], name=op.f('fk_audit_logs_operator_id_operators'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_logs'))
    )
    op.create_index('ix_audit_logs_created_at', 'audit_logs', ['created_at'], unique=False)
    op.create_index('ix_audit_logs_operator', 'audit_logs', ['operator_id', 'created_at'], unique=False)
    op.create_index('ix_audit_logs_target', 'audit_logs', ['target_type', 'target_id'], unique=False)


def downgrade() -> None:
    op.drop_table('audit_logs')
    op.drop_index(op.f('ix_operators_role_id'), table_name='operators')
    op.drop_constraint(op.f('fk_operators_role_id_roles'), 'operators', type_='foreignkey')
    op.drop_column('operators', 'role_id')
    op.drop_table('roles')
