"""What goes in and out of the news service: create, update, read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from alliedforge.domain.requirements.schemas import LabelIn


def _written(text: str) -> str:
    if not text.strip():
        raise ValueError("write the post")
    return text


def _blank_is_none(text: str | None) -> str | None:
    return text or None


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Markdown source, kept as typed: leading spaces and blank lines carry meaning.
Body = Annotated[str, StringConstraints(max_length=100_000), AfterValidator(_written)]
Summary = Annotated[
    str | None,
    StringConstraints(strip_whitespace=True, max_length=500),
    AfterValidator(_blank_is_none),
]


class NewsPostCreate(BaseModel):
    """A new post, a draft until it is published."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    body: Body
    summary: Summary = None
    label: LabelIn = LabelIn()


class NewsPostUpdate(BaseModel):
    """Fields to change; absent fields stay as they are (`summary: null` clears it)."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    body: Body | None = None
    summary: Summary = None
    label: LabelIn | None = None


class NewsPostRead(BaseModel):
    """A post as a caller sees it; `published_at` null: a draft (the agency only)."""

    id: int
    title: str
    summary: str | None
    body: str
    author: str
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    label: dict[str, Any]
