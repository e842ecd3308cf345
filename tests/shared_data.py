"""Where the binding specs' shared scenarios live (beside the repository, as `../shared`)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ALLIEDFORGE_SHARED", REPO.parent / "shared"))
GOLDEN = SHARED / "scenarios"
GOLDEN_NAMES = ("tiny", "small", "medium")
