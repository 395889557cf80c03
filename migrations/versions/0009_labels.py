"""Loans: a 'new label to hand over' task when a lent device's label is replaced

Revision ID: 0009_labels
Revises: 0008_snapshots
"""

from alembic import op
import sqlalchemy as sa


revision = '0009_labels'
down_revision = '0008_snapshots'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('loans') as batch:
        batch.add_column(sa.Column('new_label_since', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column('new_label_reason', sa.String(length=200), server_default='', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('loans') as batch:
        batch.drop_column('new_label_reason')
        batch.drop_column('new_label_since')
