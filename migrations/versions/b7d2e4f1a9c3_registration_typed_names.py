"""registration: the names the partner typed at enrolment

A candidate enrolled by two partners has one account; each partner must see only what it
typed itself, so the names typed at enrolment are kept on the registration.

Revision ID: b7d2e4f1a9c3
Revises: b7d2e41a9c03
Create Date: 2026-12-07 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d2e4f1a9c3'
down_revision = 'b7d2e41a9c03'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('last_name', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('last_name')
        batch_op.drop_column('first_name')
