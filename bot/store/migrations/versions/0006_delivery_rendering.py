"""delivery rendering: a digest cut across several messages keeps them until it is finished

Revision ID: 0006_delivery_rendering
Revises: 0005_article_topics
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_delivery_rendering"
down_revision = "0005_article_topics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("digest_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rendering", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest_deliveries", schema=None) as batch_op:
        batch_op.drop_column("rendering")
