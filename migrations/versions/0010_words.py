"""Household-facing free text per language: walk-in hours of a location, voucher products

Revision ID: 0010_words
Revises: 0009_labels

{language code: text}; Dutch stays in the existing column (the source language), so
rows written before this migration simply have no translations yet.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_words'
down_revision = '0009_labels'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('locations') as batch:
        batch.add_column(
            sa.Column('walk_in_hours_translations', sa.JSON(), nullable=False, server_default='{}')
        )
    with op.batch_alter_table('voucher_batches') as batch:
        batch.add_column(
            sa.Column('product_translations', sa.JSON(), nullable=False, server_default='{}')
        )


def downgrade():
    with op.batch_alter_table('voucher_batches') as batch:
        batch.drop_column('product_translations')
    with op.batch_alter_table('locations') as batch:
        batch.drop_column('walk_in_hours_translations')
