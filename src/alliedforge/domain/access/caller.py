"""The caller of a service: who they are, their role, what they own, their clearance."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from alliedforge.domain.access.labels import Label, rank
from alliedforge.store.base import CLASSIFICATIONS


class Role(StrEnum):
    """What a user does in the alliance (the issue's role table)."""

    ADMIN = "admin"
    PLANNER = "planner"  # the agency: everything, runs plans
    NATION = "nation"  # one nation's own demand
    SUPPLIER = "supplier"  # one supplier's own lines, prices, commitments
    AUDITOR = "auditor"  # reads everything, writes nothing


# Roles that see every owner's rows (labels still apply).
STAFF = frozenset({Role.ADMIN, Role.PLANNER, Role.AUDITOR})


@dataclass(frozen=True, slots=True)
class Caller:
    """A user acting on the record. A nation user acts for `nation_id`, a supplier user
    for `supplier_id` (row ids; `nation` / `supplier` are their codes); `nationality`
    decides releasability (None: international staff, who read only what is releasable
    to all)."""

    name: str
    role: Role
    clearance: str
    nationality: str | None = None
    nation_id: int | None = None
    nation: str | None = None
    supplier_id: int | None = None
    supplier: str | None = None
    user_id: int | None = None
    unrestricted: bool = False

    @classmethod
    def operator(cls) -> Caller:
        """Whoever runs `forge` on the database's own machine: an administrator who reads
        every label (the file system already gives them the whole database)."""
        return cls(
            name="operator", role=Role.ADMIN, clearance=CLASSIFICATIONS[-1], unrestricted=True
        )

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def writes(self) -> bool:
        return self.role is not Role.AUDITOR

    def reads(self, label: Label) -> bool:
        """Whether the caller's clearance and nationality admit a record with `label`."""
        return self.unrestricted or label.readable_by(self.clearance, self.nationality)

    def may_assign(self, label: Label) -> bool:
        """Nobody writes a label above their own clearance."""
        return rank(label.classification) <= rank(self.clearance)


def scope_settings(caller: Caller) -> dict[str, str]:
    """The database scope of a caller (see `alliedforge.store.scope`): staff and the
    operator see every row, a nation or supplier user its own."""
    if caller.is_staff or caller.unrestricted:
        return {"staff": "on"}
    return {
        "nation_id": "" if caller.nation_id is None else str(caller.nation_id),
        "nation": caller.nation or "",
        "supplier_id": "" if caller.supplier_id is None else str(caller.supplier_id),
        "supplier": caller.supplier or "",
    }
