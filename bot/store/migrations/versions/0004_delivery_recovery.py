"""delivery recovery: a claimed daily digest has a holder, a lease and its progress

Revision ID: 0004_delivery_recovery
Revises: 0003_leases
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_delivery_recovery"
down_revision = "0003_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("digest_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch_op.create_index(batch_op.f("ix_digest_deliveries_lease_until"), ["lease_until"])


def downgrade() -> None:
    with op.batch_alter_table("digest_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_deliveries_lease_until"))
        batch_op.drop_column("attempts")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("holder")
