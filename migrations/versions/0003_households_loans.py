"""Households, the waiting list and loans

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('contact_name', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('household_size', sa.Integer(), nullable=True),
    sa.Column('school_children', sa.Integer(), nullable=True),
    sa.Column('referral_partner', sa.String(length=80), nullable=False),
    sa.Column('proof_kind', sa.String(length=24), nullable=False),
    sa.Column('consent_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households')),
    sa.UniqueConstraint('code', name=op.f('uq_households_code'))
    )
    op.create_table('waiting_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('need', sa.String(length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('served_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_waiting_entries_household_id_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waiting_entries'))
    )
    with op.batch_alter_table('waiting_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waiting_entries_household_id'), ['household_id'], unique=False)
        batch_op.create_index('ix_waiting_entries_open', ['served_at', 'removed_at', 'id'], unique=False)

    op.create_table('loans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('deposit_cents', sa.Integer(), nullable=True),
    sa.Column('deposit_refunded', sa.Boolean(), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('return_condition', sa.Text(), nullable=False),
    sa.Column('charger_returned', sa.Boolean(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_loans_device_id_devices')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_loans_household_id_households')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_loans_issued_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_loans'))
    )
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loans_device_id'), ['device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loans_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_loans_issued_at'), ['issued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_loans_returned_at'), ['returned_at'], unique=False)
        batch_op.create_index('ix_loans_open_due', ['closed_at', 'due_date'], unique=False)
        batch_op.create_index('uq_loans_one_open_per_device', ['device_id'], unique=True, sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))



def downgrade():
    with op.batch_alter_table('loans', schema=None) as batch_op:
        batch_op.drop_index('uq_loans_one_open_per_device', sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))
        batch_op.drop_index('ix_loans_open_due')
        batch_op.drop_index(batch_op.f('ix_loans_returned_at'))
        batch_op.drop_index(batch_op.f('ix_loans_issued_at'))
        batch_op.drop_index(batch_op.f('ix_loans_household_id'))
        batch_op.drop_index(batch_op.f('ix_loans_device_id'))

    op.drop_table('loans')
    with op.batch_alter_table('waiting_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_waiting_entries_open')
        batch_op.drop_index(batch_op.f('ix_waiting_entries_household_id'))

    op.drop_table('waiting_entries')
    op.drop_table('households')
