"""article topics: the topics an article's source (a feed added with --topic) was added under

Revision ID: 0005_article_topics
Revises: 0004_delivery_recovery
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_article_topics"
down_revision = "0004_delivery_recovery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("topics", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("topics")
