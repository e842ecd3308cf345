"""Open Contracting Data Standard (OCDS 1.1.5) export of contracting processes.

Pure functions: `releasable` trims processes to what an audience may read,
`releases` turns a process into one release per stage, `release_package` and
`record_package` wrap them for publication, `ocid` builds identifiers.
"""

from alliedforge.contracting.ocds.identifiers import ocid
from alliedforge.contracting.ocds.merge import compile_release
from alliedforge.contracting.ocds.model import (
    Award,
    AwardCriteria,
    AwardStatus,
    Bid,
    Classification,
    Contract,
    ContractingProcess,
    ContractStatus,
    Delivery,
    DeliveryStatus,
    Item,
    Money,
    Party,
    Period,
    Planning,
    ProcurementMethod,
    Requirement,
    Tender,
    TenderStatus,
)
from alliedforge.contracting.ocds.packages import EmptyExportError, record_package, release_package
from alliedforge.contracting.ocds.releasability import Readable, releasable
from alliedforge.contracting.ocds.releases import JSON, Stage, releases, timestamp

__all__ = [
    "JSON",
    "Award",
    "AwardCriteria",
    "AwardStatus",
    "Bid",
    "Classification",
    "Contract",
    "ContractStatus",
    "ContractingProcess",
    "Delivery",
    "DeliveryStatus",
    "EmptyExportError",
    "Item",
    "Money",
    "Party",
    "Period",
    "Planning",
    "ProcurementMethod",
    "Readable",
    "Requirement",
    "Stage",
    "Tender",
    "TenderStatus",
    "compile_release",
    "ocid",
    "record_package",
    "releasable",
    "release_package",
    "releases",
    "timestamp",
]
