"""wipe_disks.serial_key: a wiped disk's serial matched by the same rule as devices' and
snapshot disks'

Revision ID: 0011_wipe_disk_keys
Revises: 0010_words

Filled in for the disks already recorded, with the rule as it is written here (the one
of migration 0007), so this migration keeps meaning the same when the rule changes later.
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0011_wipe_disk_keys'
down_revision = '0010_words'
branch_labels = None
depends_on = None

# As uitleen.devices.models.serial_key was when this migration was written.
_PLACEHOLDER_KEYS = {
    '', '0', 'NONE', 'NA', 'NULL', 'NOTSPECIFIED', 'NOTAPPLICABLE', 'NOTAVAILABLE',
    'DEFAULTSTRING', 'TOBEFILLEDBYOEM', 'SYSTEMSERIALNUMBER', 'CHASSISSERIALNUMBER',
    'BASEBOARDSERIALNUMBER', 'SERIALNUMBER', 'INVALID', 'UNKNOWN', '0123456789',
    '123456789', '1234567890', '03000200040005000006000700080009',
}


def _serial_key(serial):
    key = re.sub(r'[^0-9A-Z]', '', (serial or '').upper())
    if key in _PLACEHOLDER_KEYS or len(set(key)) <= 1:
        return ''
    return key


def upgrade():
    with op.batch_alter_table('wipe_disks') as batch:
        batch.add_column(sa.Column('serial_key', sa.String(length=120), server_default='', nullable=False))
        batch.create_index(batch.f('ix_wipe_disks_serial_key'), ['serial_key'], unique=False)
    disks = sa.table('wipe_disks', sa.column('id', sa.Integer), sa.column('disk_serial', sa.String),
                     sa.column('serial_key', sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(disks.c.id, disks.c.disk_serial).where(disks.c.disk_serial != '')).all()
    for disk_id, serial in rows:
        key = _serial_key(serial)
        if key:
            bind.execute(disks.update().where(disks.c.id == disk_id).values(serial_key=key))


def downgrade():
    with op.batch_alter_table('wipe_disks') as batch:
        batch.drop_index(batch.f('ix_wipe_disks_serial_key'))
        batch.drop_column('serial_key')
