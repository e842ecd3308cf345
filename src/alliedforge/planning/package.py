"""The plan package of scenario-format.md: `summary.json` and four CSV files, read and written."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

from alliedforge.planning.plan import (
    Costs,
    Delivery,
    Mode,
    Opening,
    Plan,
    PlanStatus,
    RequirementOutcome,
    TierChoice,
)

DELIVERY_COLUMNS = (
    "line",
    "supplier",
    "item",
    "requirement",
    "nation",
    "month",
    "quantity",
    "unit_price",
    "committed",
)
OPENING_COLUMNS = ("line", "decision_month", "first_output_month", "opening_cost")
TIER_COLUMNS = ("supplier", "item", "nation", "min_quantity", "unit_price", "quantity")
REQUIREMENT_COLUMNS = (
    "requirement",
    "nation",
    "quantity",
    "delivered",
    "delivered_on_time",
    "late_unit_months",
    "shortfall",
)


def _number(value: float) -> str:
    """Shortest text that reads back as the same float (full precision, no '.0' noise)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _finite(value: float) -> float | None:
    """JSON has no NaN or infinity: an unknown number is null."""
    return value if math.isfinite(value) else None


def summary_of(plan: Plan) -> dict[str, Any]:
    """The `summary.json` document: the spec's keys, then the plan's lineage."""
    return {
        "status": plan.status.value,
        "objective": _finite(plan.objective),
        "procurement_cost": _finite(plan.costs.procurement),
        "opening_cost": _finite(plan.costs.opening),
        "commitment_cost": _finite(plan.costs.commitment),
        "shortfall_cost": _finite(plan.costs.shortfall),
        "late_cost": _finite(plan.costs.late),
        "bound": _finite(plan.bound),
        "mip_gap": _finite(plan.mip_gap),
        "build_seconds": plan.build_seconds,
        "solve_seconds": plan.solve_seconds,
        "mode": plan.mode.value,
        "scenario_name": plan.scenario_name,
        "scenario_hash": plan.scenario_hash,
        "solver": plan.solver,
        "strategy": plan.strategy,
        "options": plan.options,
        "infeasibility": list(plan.infeasibility),
    }


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def write_plan_package(plan: Plan, folder: Path) -> Path:
    """Write the plan package into `folder` (created if needed); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    summary = json.dumps(summary_of(plan), indent=2)
    (folder / "summary.json").write_text(summary + "\n", encoding="utf-8")
    _write_csv(
        folder / "deliveries.csv",
        DELIVERY_COLUMNS,
        [
            [
                d.line,
                d.supplier,
                d.item,
                d.requirement,
                d.nation,
                d.month,
                _number(d.quantity),
                _number(d.unit_price),
                "yes" if d.committed else "",
            ]
            for d in plan.deliveries
        ],
    )
    _write_csv(
        folder / "openings.csv",
        OPENING_COLUMNS,
        [
            [o.line, o.decision_month, o.first_output_month, _number(o.opening_cost)]
            for o in plan.openings
        ],
    )
    _write_csv(
        folder / "tiers.csv",
        TIER_COLUMNS,
        [
            [
                t.supplier,
                t.item,
                t.nation or "",
                _number(t.min_quantity),
                _number(t.unit_price),
                _number(t.quantity),
            ]
            for t in plan.tiers
        ],
    )
    _write_csv(
        folder / "requirements.csv",
        REQUIREMENT_COLUMNS,
        [
            [
                r.requirement,
                r.nation,
                _number(r.quantity),
                _number(r.delivered),
                _number(r.delivered_on_time),
                _number(r.late_unit_months),
                _number(r.shortfall),
            ]
            for r in plan.requirements
        ],
    )
    return folder


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _float(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def read_plan_package(folder: Path) -> Plan:
    """Read a plan package written by `write_plan_package` back into a `Plan`."""
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return Plan(
        status=PlanStatus(summary["status"]),
        mode=Mode(summary["mode"]),
        costs=Costs(
            procurement=_float(summary["procurement_cost"]),
            opening=_float(summary["opening_cost"]),
            commitment=_float(summary["commitment_cost"]),
            shortfall=_float(summary["shortfall_cost"]),
            late=_float(summary["late_cost"]),
        ),
        bound=_float(summary["bound"]),
        mip_gap=_float(summary["mip_gap"]),
        build_seconds=float(summary["build_seconds"]),
        solve_seconds=float(summary["solve_seconds"]),
        deliveries=tuple(
            Delivery(
                line=r["line"],
                supplier=r["supplier"],
                item=r["item"],
                requirement=r["requirement"],
                nation=r["nation"],
                month=r["month"],
                quantity=float(r["quantity"]),
                unit_price=float(r["unit_price"]),
                committed=r.get("committed", "") == "yes",
            )
            for r in _read_csv(folder / "deliveries.csv")
        ),
        openings=tuple(
            Opening(
                line=r["line"],
                decision_month=r["decision_month"],
                first_output_month=r["first_output_month"],
                opening_cost=float(r["opening_cost"]),
            )
            for r in _read_csv(folder / "openings.csv")
        ),
        tiers=tuple(
            TierChoice(
                supplier=r["supplier"],
                item=r["item"],
                nation=r["nation"] or None,
                min_quantity=float(r["min_quantity"]),
                unit_price=float(r["unit_price"]),
                quantity=float(r["quantity"]),
            )
            for r in _read_csv(folder / "tiers.csv")
        ),
        requirements=tuple(
            RequirementOutcome(
                requirement=r["requirement"],
                nation=r["nation"],
                quantity=float(r["quantity"]),
                delivered=float(r["delivered"]),
                delivered_on_time=float(r["delivered_on_time"]),
                late_unit_months=float(r["late_unit_months"]),
                shortfall=float(r["shortfall"]),
            )
            for r in _read_csv(folder / "requirements.csv")
        ),
        scenario_hash=summary.get("scenario_hash", ""),
        scenario_name=summary.get("scenario_name", ""),
        solver=summary.get("solver", ""),
        strategy=summary.get("strategy", ""),
        options=summary.get("options", {}),
        infeasibility=tuple(summary.get("infeasibility", [])),
    )
