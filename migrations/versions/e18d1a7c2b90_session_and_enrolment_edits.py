"""session and enrolment edits, withdrawal (issue 18, items 1 and 2)

exam_session.date_version: bumped when the written date moves (the window emails are keyed
on it); registration.withdrawal_reason/withdrawal_note: why the partner withdrew the
candidate before the written test (status "withdrawn").

Revision ID: e18d1a7c2b90
Revises: c18a0d17f0a1
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e18d1a7c2b90'
down_revision = 'c18a0d17f0a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exam_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('date_version', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawal_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('withdrawal_note')
        batch_op.drop_column('withdrawal_reason')
    with op.batch_alter_table('exam_session', schema=None) as batch_op:
        batch_op.drop_column('date_version')
