"""Devices, donors, wipe records, software installs and quality checks

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('counters',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_counters'))
    )
    op.create_table('donors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('is_organisation', sa.Boolean(), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('wants_certificate', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donors'))
    )
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donors_name'), ['name'], unique=False)

    op.create_table('devices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_tag', sa.String(length=16), nullable=False),
    sa.Column('public_token', sa.String(length=32), nullable=False),
    sa.Column('qr_matrix', sa.LargeBinary(), nullable=True),
    sa.Column('qr_url', sa.String(length=255), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('make', sa.String(length=80), nullable=False),
    sa.Column('model', sa.String(length=120), nullable=False),
    sa.Column('serial', sa.String(length=120), nullable=False),
    sa.Column('cpu', sa.String(length=120), nullable=False),
    sa.Column('ram_gb', sa.Integer(), nullable=True),
    sa.Column('storage_gb', sa.Integer(), nullable=True),
    sa.Column('storage_type', sa.String(length=16), nullable=False),
    sa.Column('battery_health', sa.Integer(), nullable=True),
    sa.Column('screen_inches', sa.Double(), nullable=True),
    sa.Column('os_licence', sa.String(length=120), nullable=False),
    sa.Column('condition_grade', sa.String(length=1), nullable=False),
    sa.Column('condition_notes', sa.Text(), nullable=False),
    sa.Column('donor_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('state_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cycle_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_devices_donor_id_donors')),
    sa.ForeignKeyConstraint(['location_id'], ['locations.id'], name=op.f('fk_devices_location_id_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_devices')),
    sa.UniqueConstraint('asset_tag', name=op.f('uq_devices_asset_tag')),
    sa.UniqueConstraint('public_token', name=op.f('uq_devices_public_token'))
    )
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_devices_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_donor_id'), ['donor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_location_id'), ['location_id'], unique=False)
        batch_op.create_index('ix_devices_make_serial', ['make', 'serial'], unique=False)
        batch_op.create_index('ix_devices_model', ['model'], unique=False)
        batch_op.create_index(batch_op.f('ix_devices_serial'), ['serial'], unique=False)
        batch_op.create_index('ix_devices_state_id', ['state', 'id'], unique=False)

    op.create_table('quality_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_quality_checks_device_id_devices')),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_quality_checks_operator_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_checks'))
    )
    with op.batch_alter_table('quality_checks', schema=None) as batch_op:
        batch_op.create_index('ix_quality_checks_device_recorded', ['device_id', 'recorded_at'], unique=False)

    op.create_table('retired_tokens',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_retired_tokens_device_id_devices')),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_retired_tokens'))
    )
    with op.batch_alter_table('retired_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retired_tokens_device_id'), ['device_id'], unique=False)

    op.create_table('software_installs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('os_name', sa.String(length=80), nullable=False),
    sa.Column('os_version', sa.String(length=80), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_software_installs_device_id_devices')),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_software_installs_operator_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_software_installs'))
    )
    with op.batch_alter_table('software_installs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_software_installs_device_id'), ['device_id'], unique=False)

    op.create_table('wipe_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=60), nullable=False),
    sa.Column('nist_class', sa.String(length=10), nullable=False),
    sa.Column('tool', sa.String(length=60), nullable=False),
    sa.Column('tool_version', sa.String(length=40), nullable=False),
    sa.Column('passes', sa.Integer(), nullable=True),
    sa.Column('verification', sa.String(length=20), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('log_filename', sa.String(length=255), nullable=False),
    sa.Column('certificate_number', sa.String(length=32), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_wipe_records_device_id_devices')),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_wipe_records_operator_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wipe_records')),
    sa.UniqueConstraint('certificate_number', name=op.f('uq_wipe_records_certificate_number'))
    )
    with op.batch_alter_table('wipe_records', schema=None) as batch_op:
        batch_op.create_index('ix_wipe_records_device_finished', ['device_id', 'finished_at'], unique=False)

    op.create_table('wipe_disks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('disk_model', sa.String(length=120), nullable=False),
    sa.Column('disk_serial', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['wipe_records.id'], name=op.f('fk_wipe_disks_record_id_wipe_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wipe_disks'))
    )
    with op.batch_alter_table('wipe_disks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wipe_disks_record_id'), ['record_id'], unique=False)





def downgrade():
    with op.batch_alter_table('wipe_disks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wipe_disks_record_id'))

    op.drop_table('wipe_disks')
    with op.batch_alter_table('wipe_records', schema=None) as batch_op:
        batch_op.drop_index('ix_wipe_records_device_finished')

    op.drop_table('wipe_records')
    with op.batch_alter_table('software_installs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_software_installs_device_id'))

    op.drop_table('software_installs')
    with op.batch_alter_table('retired_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retired_tokens_device_id'))

    op.drop_table('retired_tokens')
    with op.batch_alter_table('quality_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_quality_checks_device_recorded')

    op.drop_table('quality_checks')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index('ix_devices_state_id')
        batch_op.drop_index(batch_op.f('ix_devices_serial'))
        batch_op.drop_index('ix_devices_model')
        batch_op.drop_index('ix_devices_make_serial')
        batch_op.drop_index(batch_op.f('ix_devices_location_id'))
        batch_op.drop_index(batch_op.f('ix_devices_donor_id'))
        batch_op.drop_index(batch_op.f('ix_devices_created_at'))

    op.drop_table('devices')
    with op.batch_alter_table('donors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donors_name'))

    op.drop_table('donors')
    op.drop_table('counters')
