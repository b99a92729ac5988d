"""issue 18 items 5 and 6: results keep their history (reissue after an identity
rectification or an appeal), identity rectifications, appeals

Revision ID: c18a5e1d0e01
Revises: c18e0a7e55f1
Create Date: 2026-12-06 06:04:57

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c18a5e1d0e01'
down_revision = 'c18e0a7e55f1'
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

    op.create_table('appeal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ground', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('attachment_name', sa.String(length=255), nullable=True),
    sa.Column('attachment_stored', sa.String(length=64), nullable=True),
    sa.Column('attachment_mime', sa.String(length=40), nullable=True),
    sa.Column('attachment_size', sa.Integer(), nullable=True),
    sa.Column('attachment_sha256', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('second_assessor_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scores_before', sa.JSON(), nullable=True),
    sa.Column('scores_after', sa.JSON(), nullable=True),
    sa.Column('result_changed', sa.Boolean(), nullable=True),
    sa.Column('sent_to_jury_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.Column('new_result_id', sa.Integer(), nullable=True),
    sa.Column('retake_registration_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['user_account.id'], name=op.f('fk_appeal_candidate_id_user_account')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_appeal_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['filed_by_id'], ['user_account.id'], name=op.f('fk_appeal_filed_by_id_user_account')),
    sa.ForeignKeyConstraint(['new_result_id'], ['result.id'], name=op.f('fk_appeal_new_result_id_result')),
    sa.ForeignKeyConstraint(['partner_id'], ['organisation.id'], name=op.f('fk_appeal_partner_id_organisation')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_appeal_registration_id_registration')),
    sa.ForeignKeyConstraint(['result_id'], ['result.id'], name=op.f('fk_appeal_result_id_result')),
    sa.ForeignKeyConstraint(['retake_registration_id'], ['registration.id'], name=op.f('fk_appeal_retake_registration_id_registration')),
    sa.ForeignKeyConstraint(['review_id'], ['jury_review.id'], name=op.f('fk_appeal_review_id_jury_review')),
    sa.ForeignKeyConstraint(['second_assessor_id'], ['user_account.id'], name=op.f('fk_appeal_second_assessor_id_user_account')),
    sa.ForeignKeyConstraint(['session_id'], ['exam_session.id'], name=op.f('fk_appeal_session_id_exam_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal')),
    sa.UniqueConstraint('attachment_stored', name=op.f('uq_appeal_attachment_stored')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_appeal_registration_id'))
    )
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeal_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeal_second_assessor_id'), ['second_assessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeal_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeal_status'), ['status'], unique=False)

    op.create_table('appeal_remark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('appeal_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('assessor_id', sa.Integer(), nullable=False),
    sa.Column('range', sa.String(length=3), nullable=True),
    sa.Column('accuracy', sa.String(length=3), nullable=True),
    sa.Column('fluency', sa.String(length=3), nullable=True),
    sa.Column('pronunciation', sa.String(length=3), nullable=True),
    sa.Column('interaction', sa.String(length=3), nullable=True),
    sa.Column('report', sa.Text(), nullable=True),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('validated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeal.id'], name=op.f('fk_appeal_remark_appeal_id_appeal')),
    sa.ForeignKeyConstraint(['assessor_id'], ['user_account.id'], name=op.f('fk_appeal_remark_assessor_id_user_account')),
    sa.ForeignKeyConstraint(['booking_id'], ['oral_booking.id'], name=op.f('fk_appeal_remark_booking_id_oral_booking')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeal_remark')),
    sa.UniqueConstraint('appeal_id', name=op.f('uq_appeal_remark_appeal_id'))
    )
    with op.batch_alter_table('appeal_remark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeal_remark_assessor_id'), ['assessor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeal_remark_booking_id'), ['booking_id'], unique=False)


def downgrade():
    with op.batch_alter_table('appeal_remark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeal_remark_booking_id'))
        batch_op.drop_index(batch_op.f('ix_appeal_remark_assessor_id'))

    op.drop_table('appeal_remark')
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeal_status'))
        batch_op.drop_index(batch_op.f('ix_appeal_session_id'))
        batch_op.drop_index(batch_op.f('ix_appeal_second_assessor_id'))
        batch_op.drop_index(batch_op.f('ix_appeal_partner_id'))
        batch_op.drop_index(batch_op.f('ix_appeal_candidate_id'))

    op.drop_table('appeal')

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
