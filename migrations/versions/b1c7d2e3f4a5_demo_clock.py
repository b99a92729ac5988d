"""demo clock

Revision ID: b1c7d2e3f4a5
Revises: 53e746b50449
Create Date: 2026-12-06 04:10:00

"""
from alembic import op
import sqlalchemy as sa



revision = 'b1c7d2e3f4a5'
down_revision = '53e746b50449'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('demo_clock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offset_seconds', sa.Float(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_demo_clock'))
    )


def downgrade():
    op.drop_table('demo_clock')
