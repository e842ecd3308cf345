"""The tokens pages."""

from __future__ import annotations

from fastapi import APIRouter

from alliedforge.web.render import WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)
