"""Rich renderings for the terminal: problems, scenario summaries, plan summaries, comparisons."""

from __future__ import annotations

import time
from collections import defaultdict
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from alliedforge.analysis.kpis import ModeComparison, nation_kpis
from alliedforge.domain.record import ImportReport
from alliedforge.planning.options import Progress
from alliedforge.planning.plan import Plan, PlanStatus
from alliedforge.scenario.model import Scenario
from alliedforge.scenario.problems import Problem
from alliedforge.scenario.summary import ScenarioSummary

# Live progress appears only for solves that outlast a glance.
PROGRESS_AFTER_SECONDS = 2.0
PLAIN_EVERY_SECONDS = 5.0


def money(value: float, currency: str = "") -> str:
    suffix = f" {currency}" if currency else ""
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.3f} bn{suffix}"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} m{suffix}"
    return f"{value:,.0f}{suffix}"


def units(value: float) -> str:
    return f"{value:,.0f}"


def problems_table(problems: list[Problem]) -> Table:
    table = Table(title=f"{len(problems)} problem(s) found", title_justify="left")
    for column in ("table", "row", "column", "value", "expected"):
        table.add_column(column, overflow="fold")
    for p in problems:
        table.add_row(
            p.table,
            "" if p.row is None else str(p.row),
            p.column or "",
            "" if p.value is None else Text(p.value),
            Text(p.expected),
        )
    return table


def import_table(report: ImportReport) -> Table:
    table = Table(title="Rows per table", title_justify="left")
    table.add_column("table")
    for column in ("created", "updated", "unchanged", "deleted"):
        table.add_column(column, justify="right")
    for c in report.tables:
        table.add_row(c.table, str(c.created), str(c.updated), str(c.unchanged), str(c.deleted))
    return table


def summary_tables(summary: ScenarioSummary) -> list[Table]:
    head = Table(title=f"Scenario {summary.name!r}", title_justify="left", show_header=False)
    head.add_row("horizon", f"{summary.start} … {summary.end} ({summary.months} months)")
    head.add_row("total demand", f"{units(summary.total_demand)} units")
    if summary.unserved_demand:
        head.add_row("no qualified item", f"{units(summary.unserved_demand)} units")
    counts = Table(title="Rows per table", title_justify="left")
    counts.add_column("table")
    counts.add_column("rows", justify="right")
    for name, count in summary.counts.items():
        counts.add_row(name, str(count))
    families = Table(title="Demand vs capacity over the horizon (units)", title_justify="left")
    for column in ("family", "demand", "active lines", "all lines opened early", "cover"):
        families.add_column(column, justify="left" if column == "family" else "right")
    for f in summary.families:
        cover = f"{f.capacity / f.demand:.0%}" if f.demand else "—"
        families.add_row(
            f.family, units(f.demand), units(f.active_capacity), units(f.capacity), cover
        )
    return [head, counts, families]


def plan_tables(scenario: Scenario, plan: Plan) -> list[Table]:
    currency = scenario.manifest.currency
    head = Table(title=f"Plan ({plan.mode.value})", title_justify="left", show_header=False)
    head.add_row("status", plan.status.value)
    if plan.status is PlanStatus.INFEASIBLE:
        for reason in plan.infeasibility:
            head.add_row("why", Text(reason))
        return [head]
    head.add_row("objective", money(plan.objective, currency))
    head.add_row("bound", f"{money(plan.bound, currency)}  (gap {plan.mip_gap:.3%})")
    head.add_row("time", f"build {plan.build_seconds:.2f} s, solve {plan.solve_seconds:.2f} s")
    head.add_row("strategy", f"{plan.strategy} · {plan.solver}")
    costs = Table(title="Cost breakdown", title_justify="left")
    costs.add_column("component")
    costs.add_column(currency, justify="right")
    for name, value in (
        ("procurement", plan.costs.procurement),
        ("line openings", plan.costs.opening),
        ("commitments", plan.costs.commitment),
        ("shortfall penalty", plan.costs.shortfall),
        ("lateness penalty", plan.costs.late),
        ("total", plan.objective),
    ):
        costs.add_row(name, f"{value:,.0f}")
    nations = Table(title="Per nation", title_justify="left")
    for column in ("nation", "required", "delivered", "on time", "late unit-months", "short"):
        nations.add_column(column, justify="left" if column == "nation" else "right")
    for k in nation_kpis(scenario, plan):
        nations.add_row(
            k.nation,
            units(k.required),
            units(k.delivered),
            units(k.on_time),
            units(k.late_unit_months),
            units(k.shortfall),
        )
    tables = [head, costs, nations]
    if plan.openings:
        openings = Table(title="Lines opened", title_justify="left")
        for column in ("line", "decision", "first output", "opening cost"):
            openings.add_column(column, justify="right" if column == "opening cost" else "left")
        for o in sorted(plan.openings, key=lambda o: (o.decision_month, o.line)):
            openings.add_row(
                o.line, o.decision_month, o.first_output_month, f"{o.opening_cost:,.0f}"
            )
        tables.append(openings)
    if plan.tiers:
        tiers = Table(title="Volume tiers reached", title_justify="left")
        for column in ("supplier", "item", "nation", "tier from", "unit price", "quantity"):
            tiers.add_column(
                column,
                justify="right" if column in ("tier from", "unit price", "quantity") else "left",
            )
        for t in plan.tiers:
            tiers.add_row(
                t.supplier,
                t.item,
                t.nation or "all",
                units(t.min_quantity),
                f"{t.unit_price:,.2f}",
                units(t.quantity),
            )
        tables.append(tiers)
    return tables


def comparison_table(comparison: ModeComparison, currency: str) -> Table:
    table = Table(title="Value of joint procurement (national − joint)", title_justify="left")
    for column in ("nation", "national", "joint", "saving", "saving %"):
        table.add_column(column, justify="left" if column == "nation" else "right")
    rows = sorted(comparison.nations, key=lambda v: v.nation or "")
    for value in [*rows, comparison.total]:
        pct = value.saving_percent
        table.add_row(
            value.nation or "TOTAL",
            money(value.national, currency),
            money(value.joint, currency),
            money(value.saving, currency),
            "—" if pct is None else f"{pct:.2f} %",
        )
    return table


class ProgressDisplay:
    """A live status line (phase, elapsed, best plan, bound, gap) for solves over 2 s."""

    def __init__(self, console: Console, label: str) -> None:
        self.console, self.label = console, label
        self.live: Live | None = None
        self.best: dict[str, float | None] = defaultdict(lambda: None)
        self.printed = 0.0

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.live is not None:
            self.live.stop()

    def __call__(self, progress: Progress) -> None:
        if progress.objective is not None:
            self.best["objective"] = progress.objective
        if progress.bound is not None:
            self.best["bound"] = progress.bound
        if progress.elapsed < PROGRESS_AFTER_SECONDS:
            return
        if not self.console.is_terminal:
            # Logs and CI get a plain line now and then instead of a redrawn one.
            now = time.perf_counter()
            if now - self.printed >= PLAIN_EVERY_SECONDS:
                self.printed = now
                self.console.print(self._line(progress))
            return
        if self.live is None:
            self.live = Live(console=self.console, refresh_per_second=4, transient=False)
            self.live.start()
        self.live.update(self._line(progress))

    def _line(self, progress: Progress) -> Text:
        objective, bound = self.best["objective"], self.best["bound"]
        gap = (
            f"{abs(objective - bound) / max(abs(objective), 1e-9):.3%}"
            if objective is not None and bound is not None
            else "—"
        )
        return Text(
            f"{self.label} · {progress.phase} · {progress.elapsed:6.1f} s · "
            f"best plan {money(objective) if objective is not None else '—'} · "
            f"bound {money(bound) if bound is not None else '—'} · gap {gap}"
        )
