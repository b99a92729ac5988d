"""written test: suspended/cancelled attempts, one live attempt per registration, display seed

A referent may cancel a suspended attempt for force majeure and let the candidate start a
new one for the same registration: ``registration_id`` is no longer unique (the history
keeps it), ``active_registration_id`` is (NULL once cancelled). ``suspended_at`` dates
the referent's queue. ``display_seed`` orders the options each candidate is shown (the
attempts already stored showed them in bank order; their rows keep what was shown).

Revision ID: b7d2e41c9a17
Revises: b7d2e4f1a9c3
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d2e41c9a17'
down_revision = 'b7d2e4f1a9c3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('written_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active_registration_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('display_seed', sa.Integer(), nullable=True))
        batch_op.drop_constraint('uq_written_attempt_registration_id', type_='unique')
        batch_op.create_index(batch_op.f('ix_written_attempt_registration_id'), ['registration_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_written_attempt_active_registration_id'), ['active_registration_id'])
        batch_op.create_foreign_key(batch_op.f('fk_written_attempt_active_registration_id_registration'), 'registration', ['active_registration_id'], ['id'])
    op.execute("UPDATE written_attempt SET active_registration_id = registration_id, "
               "display_seed = seed")
    with op.batch_alter_table('written_attempt', schema=None) as batch_op:
        batch_op.alter_column('display_seed', existing_type=sa.Integer(), nullable=False)


def downgrade():
    with op.batch_alter_table('written_attempt', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_written_attempt_active_registration_id_registration'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_written_attempt_active_registration_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_written_attempt_registration_id'))
        batch_op.create_unique_constraint('uq_written_attempt_registration_id', ['registration_id'])
        batch_op.drop_column('display_seed')
        batch_op.drop_column('suspended_at')
        batch_op.drop_column('active_registration_id')
