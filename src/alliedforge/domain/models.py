"""Every ORM model, imported in one place so the metadata is complete (Alembic, tests)."""

from __future__ import annotations

from alliedforge.domain.access.models import ApiToken, LoginFailure, User, WebSession
from alliedforge.domain.audit.models import AuditEntry, AuditHead
from alliedforge.domain.catalogue.models import (
    BomEntry,
    Component,
    Item,
    Qualification,
    WeaponSystem,
)
from alliedforge.domain.industry.models import ComponentSupply, Line, Price, Supplier
from alliedforge.domain.nations.models import Nation, NcbCode
from alliedforge.domain.news.models import NewsPost
from alliedforge.domain.plans.models import (
    PlanDelivery,
    PlanOpening,
    PlanRequirement,
    PlanRun,
    PlanScenario,
    PlanTier,
)
from alliedforge.domain.procurement.models import (
    Bid,
    CallOff,
    Delivery,
    Framework,
    FrameworkItem,
    FrameworkParty,
    LedgerEntry,
    Lot,
    LotLine,
    Tender,
)
from alliedforge.domain.requirements.models import (
    Budget,
    Commitment,
    Fleet,
    Requirement,
    Stockpile,
)
from alliedforge.domain.settings.models import ScenarioSettings
from alliedforge.domain.whatifs.models import AnalysisRun, StoredWhatIf
from alliedforge.store.base import Base

metadata = Base.metadata

__all__ = [
    "AnalysisRun",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Bid",
    "BomEntry",
    "Budget",
    "CallOff",
    "Commitment",
    "Component",
    "ComponentSupply",
    "Delivery",
    "Fleet",
    "Framework",
    "FrameworkItem",
    "FrameworkParty",
    "Item",
    "LedgerEntry",
    "Line",
    "LoginFailure",
    "Lot",
    "LotLine",
    "Nation",
    "NcbCode",
    "NewsPost",
    "PlanDelivery",
    "PlanOpening",
    "PlanRequirement",
    "PlanRun",
    "PlanScenario",
    "PlanTier",
    "Price",
    "Qualification",
    "Requirement",
    "ScenarioSettings",
    "Stockpile",
    "StoredWhatIf",
    "Supplier",
    "Tender",
    "User",
    "WeaponSystem",
    "WebSession",
    "metadata",
]
