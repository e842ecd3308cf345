"""ORM model of the press room: news posts, drafts until published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from alliedforge.store.base import Record, utcnow


class NewsPost(Record):
    """A post of the agency: `body` is Markdown source; a post without `published_at` is
    a draft, which only the agency sees."""

    __tablename__ = "news_posts"

    title: Mapped[str] = mapped_column(String)
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
