"""News posts: the agency's press room (Markdown bodies, drafts until published).

No row-level security policy: the wall of 0006 scopes rows by the nation or supplier
that owns them, and no one owns a post. Who reads a post is decided by its label and
whether it is published, which the application enforces, as for the catalogue.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 15:15:51
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from alliedforge.store.base import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column-level in the models (one mixin serves every table), which autogenerate skips.
CLASSIFICATION_CHECK = (
    "classification IN ('NATO UNCLASSIFIED', 'NATO RESTRICTED', 'NATO CONFIDENTIAL', "
    "'NATO SECRET', 'COSMIC TOP SECRET')"
)


def upgrade() -> None:
    op.create_table(
        "news_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("published_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "classification", sa.String(), server_default="NATO UNCLASSIFIED", nullable=False
        ),
        sa.Column("releasable_to", sa.String(), server_default="ALL", nullable=False),
        sa.CheckConstraint(CLASSIFICATION_CHECK, name=op.f("ck_None_classification")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_news_posts")),
    )
    with op.batch_alter_table("news_posts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_news_posts_published_at"), ["published_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("news_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_news_posts_published_at"))
    op.drop_table("news_posts")
