"""topic view titles: a story's title for each topic, naming the topic when its own does not

Revision ID: 0008_topic_view_titles
Revises: 0007_term_days
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_topic_view_titles"
down_revision = "0007_term_days"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("story_topics") as batch:
        batch.add_column(sa.Column("title", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("story_topics") as batch:
        batch.drop_column("title")
