"""add ticket search text

Revision ID: 5b3e9d7c21a4
Revises: ef80e2f39deb
Create Date: 2026-12-05 04:10:00.000000
"""
from alembic import op
import sqlalchemy as sa

# The column must hold what the service writes today, so the migration uses the service's own folding.
from services.tickets.search import ticket_search_text


revision = '5b3e9d7c21a4'
down_revision = 'ef80e2f39deb'
branch_labels = None
depends_on = None

TICKET = sa.table('ticket', sa.column('id', sa.String), sa.column('title', sa.String),
                  sa.column('reference_1', sa.String), sa.column('reference_2', sa.String),
                  sa.column('search_text', sa.Text))
# Tickets read and written per round trip, so that a large table never sits in memory at once.
BATCH_ROWS = 1_000


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))

    connection = op.get_bind()
    fill = (sa.update(TICKET).where(TICKET.c.id == sa.bindparam('ticket_id'))
            .values(search_text=sa.bindparam('folded')))
    last_id = ''
    while True:
        rows = connection.execute(
            sa.select(TICKET.c.id, TICKET.c.title, TICKET.c.reference_1, TICKET.c.reference_2)
            .where(TICKET.c.id > last_id).order_by(TICKET.c.id).limit(BATCH_ROWS)).all()
        if not rows:
            break
        connection.execute(fill, [{'ticket_id': row.id,
                                   'folded': ticket_search_text(row.title, row.reference_1, row.reference_2)}
                                  for row in rows])
        last_id = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('search_text')
