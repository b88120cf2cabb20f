"""leases: named work held by one process at a time; joins the feeds and subscribers branches

Revision ID: 0003_leases
Revises: 0002_feeds, 0002_subscribers
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_leases"
down_revision = ("0002_feeds", "0002_subscribers")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("leases")
