"""story readings: each story's articles' sentences, its scored brief candidates, a version

Free-word views are chosen from these at request time instead of briefing the story again,
and kept per story version (raised each time the story is composed). Stories stored before
this revision have none (NULL) and show their stored brief.

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
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("version")
        batch.drop_column("scored")
        batch.drop_column("reading")
