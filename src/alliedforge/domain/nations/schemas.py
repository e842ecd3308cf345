"""What the nation service returns."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class NationRead(BaseModel):
    """A buying nation: its scenario code (normally ISO 3166 alpha-3), ISO alpha-2, name."""

    id: int
    code: str
    iso2: str | None
    name: str
    version: int
    label: dict[str, Any]
