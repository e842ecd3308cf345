"""Where the binding specs' shared scenarios live (beside the repository, as `../shared`)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from alliedforge.store.base import utcnow

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ALLIEDFORGE_SHARED", REPO.parent / "shared"))
GOLDEN = SHARED / "scenarios"
GOLDEN_NAMES = ("tiny", "small", "medium")


def today() -> date:
    """The day now, read when used: a module collected before midnight may run after it."""
    return utcnow().date()
