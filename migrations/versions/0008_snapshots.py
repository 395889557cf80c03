"""Hardware snapshots (workbench-script) and the disks they found

Revision ID: 0008_snapshots
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_snapshots'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hardware_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('software', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('operator_id', sa.String(length=128), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('battery_full_wh', sa.Double(), nullable=True),
    sa.Column('battery_design_wh', sa.Double(), nullable=True),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_hardware_snapshots_device_id_devices')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_hardware_snapshots_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hardware_snapshots')),
    sa.UniqueConstraint('uuid', name=op.f('uq_hardware_snapshots_uuid'))
    )
    with op.batch_alter_table('hardware_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hardware_snapshots_device_id'), ['device_id'], unique=False)

    op.create_table('snapshot_disks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('device_name', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=120), nullable=False),
    sa.Column('serial', sa.String(length=120), nullable=False),
    sa.Column('serial_key', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('smart_passed', sa.Boolean(), nullable=True),
    sa.Column('power_on_hours', sa.Integer(), nullable=True),
    sa.Column('reallocated_sectors', sa.BigInteger(), nullable=True),
    sa.Column('pending_sectors', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['snapshot_id'], ['hardware_snapshots.id'], name=op.f('fk_snapshot_disks_snapshot_id_hardware_snapshots')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_snapshot_disks'))
    )
    with op.batch_alter_table('snapshot_disks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_snapshot_disks_serial_key'), ['serial_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_snapshot_disks_snapshot_id'), ['snapshot_id'], unique=False)


def downgrade():
    with op.batch_alter_table('snapshot_disks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_snapshot_disks_snapshot_id'))
        batch_op.drop_index(batch_op.f('ix_snapshot_disks_serial_key'))
    op.drop_table('snapshot_disks')
    with op.batch_alter_table('hardware_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hardware_snapshots_device_id'))
    op.drop_table('hardware_snapshots')
