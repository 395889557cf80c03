"""CHECK constraints on state and status columns; devices.serial_key for duplicate serials

Revision ID: 0007
Revises: 0006

The allowed values are written out here as they are today, so this migration keeps
meaning the same thing when a constant changes later; tests/test_state_checks.py
compares the migrated database with the constants.
"""
import re

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


# table -> column -> allowed values
CHECKS = {
    'devices': {'state': (
        'intake', 'wiping', 'wiped', 'software', 'qc', 'ready', 'on_loan', 'returned',
        'repair', 'parts', 'recycled', 'lost', 'gifted',
    )},
    'wipe_disks': {'result': ('passed', 'failed', 'aborted')},
    'loans': {
        'kind': ('loan', 'gift'),
        'outcome': ('returned', 'kept', 'lost', 'stolen', 'broken', 'gifted'),
    },
    'vouchers': {'status': ('available', 'assigned', 'redeemed', 'expired', 'revoked')},
    'help_requests': {'status': ('new', 'in_progress', 'done')},
    'users': {'role': ('volunteer', 'intake', 'coordinator')},
}

# As uitleen.devices.service.serial_key was when this migration was written.
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


def _listed(values):
    return ', '.join(f"'{value}'" for value in values)


def _refuse_unknown_values():
    """Stop with the rows to fix, rather than a bare constraint error halfway through."""
    bind = op.get_bind()
    problems = []
    for table, columns in CHECKS.items():
        for column, values in columns.items():
            rows = bind.execute(sa.text(
                f'SELECT {column}, COUNT(*) FROM {table} '
                f'WHERE {column} NOT IN ({_listed(values)}) GROUP BY {column}'
            )).all()
            problems += [f'{table}.{column} = {value!r}: {count} row(s)' for value, count in rows]
    if problems:
        raise RuntimeError(
            'Some rows hold a value the new CHECK constraints do not allow; correct them '
            'first:\n' + '\n'.join(problems)
        )


def upgrade():
    _refuse_unknown_values()
    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, values in columns.items():
                batch_op.create_check_constraint(
                    op.f(f'ck_{table}_{column}_known'), f'{column} IN ({_listed(values)})'
                )

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('serial_key', sa.String(length=120), server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_devices_serial_key'), ['serial_key'], unique=False)
    devices = sa.table('devices', sa.column('id', sa.Integer), sa.column('serial', sa.String),
                       sa.column('serial_key', sa.String))
    bind = op.get_bind()
    for device_id, serial in bind.execute(sa.select(devices.c.id, devices.c.serial)).all():
        key = _serial_key(serial)
        if key:
            bind.execute(devices.update().where(devices.c.id == device_id).values(serial_key=key))


def downgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_devices_serial_key'))
        batch_op.drop_column('serial_key')

    for table, columns in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.drop_constraint(op.f(f'ck_{table}_{column}_known'), type_='check')
