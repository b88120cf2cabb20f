"""story readings: each story's articles' sentences and its scored brief candidates

Free-word views are chosen from these at request time instead of briefing the story again.
Stories stored before this revision have none (NULL) and show their stored brief.

Revision ID: 0009_story_readings
Revises: 0008_topic_view_titles
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_story_readings"
down_revision = "0008_topic_view_titles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("reading", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("scored", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("scored")
        batch.drop_column("reading")
