"""add saved queue views

Revision ID: ef80e2f39deb
Revises: 78fc55410cf0
Create Date: 2026-12-04 22:42:27.853900
"""
from alembic import op
import sqlalchemy as sa


revision = 'ef80e2f39deb'
down_revision = '78fc55410cf0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ticket_queue_view',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('tab', sa.String(length=20), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('sort', sa.String(length=30), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'name', name='uq_ticket_queue_view_user_name')
    )
    with op.batch_alter_table('ticket_queue_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_queue_view_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ticket_queue_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_queue_view_user_id'))

    op.drop_table('ticket_queue_view')
