"""term days: how many articles of each day use each word, so words are weighed by recent news

Revision ID: 0007_term_days
Revises: 0006_delivery_rendering
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_term_days"
down_revision = "0006_delivery_rendering"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "term_days",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", "day"),
    )
    op.create_index("ix_term_days_day", "term_days", ["day"])


def downgrade() -> None:
    op.drop_index("ix_term_days_day", table_name="term_days")
    op.drop_table("term_days")
