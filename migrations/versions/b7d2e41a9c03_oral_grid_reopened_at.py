"""oral grid: when a referent last reopened it (restarts the entry deadline)

Revision ID: b7d2e41a9c03
Revises: b1c7d2e3f4a5
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2e41a9c03'
down_revision = 'b1c7d2e3f4a5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('oral_assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reopened_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('oral_assessment', schema=None) as batch_op:
        batch_op.drop_column('reopened_at')
