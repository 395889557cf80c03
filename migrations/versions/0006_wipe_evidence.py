"""Wipe evidence: the original log and its hash, review of implausible logs, certificate
verification, and a device's attention flag for the desk

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('wipe_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('log_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('log_content', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('review_status', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('review_reasons', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('reviewed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('verification_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('certified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_wipe_records_log_sha256'), ['log_sha256'])
        batch_op.create_unique_constraint(batch_op.f('uq_wipe_records_verification_token'), ['verification_token'])
        batch_op.create_foreign_key(batch_op.f('fk_wipe_records_reviewed_by_id_users'), 'users', ['reviewed_by_id'], ['id'])
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attention', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('attention')
    with op.batch_alter_table('wipe_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_wipe_records_reviewed_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_wipe_records_verification_token'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_wipe_records_log_sha256'), type_='unique')
        for column in ('certified_at', 'verification_token', 'review_note', 'reviewed_at',
                       'reviewed_by_id', 'review_reasons', 'review_status', 'log_content',
                       'log_sha256'):
            batch_op.drop_column(column)
