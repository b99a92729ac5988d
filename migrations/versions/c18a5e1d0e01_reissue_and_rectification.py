"""issue 18 items 5 and 6: results keep their history (reissue after an identity
rectification or an appeal), identity rectifications, appeals

Revision ID: c18a5e1d0e01
Revises: a17c0de5e551
Create Date: 2026-12-06 06:04:57

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c18a5e1d0e01'
down_revision = 'a17c0de5e551'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('identity_rectification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('reissued', sa.JSON(), nullable=True),
    sa.Column('evidence_name', sa.String(length=255), nullable=False),
    sa.Column('evidence_stored', sa.String(length=64), nullable=False),
    sa.Column('evidence_mime', sa.String(length=40), nullable=False),
    sa.Column('evidence_size', sa.Integer(), nullable=False),
    sa.Column('evidence_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_identity_rectification_actor_id_user_account')),
    sa.ForeignKeyConstraint(['candidate_id'], ['user_account.id'], name=op.f('fk_identity_rectification_candidate_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_rectification')),
    sa.UniqueConstraint('evidence_stored', name=op.f('uq_identity_rectification_evidence_stored'))
    )
    with op.batch_alter_table('identity_rectification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_rectification_candidate_id'), ['candidate_id'], unique=False)

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaced_by_number', sa.String(length=40), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_certificate_registration_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_certificate_registration_id'), ['registration_id'], unique=False)

    with op.batch_alter_table('jury_review', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_jury_review_registration_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_jury_review_registration_id'), ['registration_id'], unique=False)

    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_name', sa.String(length=250), nullable=True))
        batch_op.add_column(sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('replace_reason', sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_result_registration_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_result_review_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_result_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_result_review_id'), ['review_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_result_replaced_by_id_result'), 'result', ['replaced_by_id'], ['id'])



def downgrade():
    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_result_replaced_by_id_result'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_result_review_id'))
        batch_op.drop_index(batch_op.f('ix_result_registration_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_result_review_id'), ['review_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_result_registration_id'), ['registration_id'])
        batch_op.drop_column('replace_reason')
        batch_op.drop_column('replaced_by_id')
        batch_op.drop_column('replaced_at')
        batch_op.drop_column('holder_name')

    with op.batch_alter_table('jury_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jury_review_registration_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_jury_review_registration_id'), ['registration_id'])

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_registration_id'))
        batch_op.create_unique_constraint(batch_op.f('uq_certificate_registration_id'), ['registration_id'])
        batch_op.drop_column('replaced_by_number')

    with op.batch_alter_table('identity_rectification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_rectification_candidate_id'))

    op.drop_table('identity_rectification')
