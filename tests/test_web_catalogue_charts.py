"""The figure builders of the catalogue and industry pages, without a server: the
interoperability heatmap, line capacity with its ramp-up, price tiers as steps."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from alliedforge.scenario.model import Line, LineState, Price
from alliedforge.web.charts.catalogue import (
    STATUS_COLOURS,
    STATUSES,
    Axis,
    Cell,
    matrix_figure,
    status_grid,
)
from alliedforge.web.charts.industry import (
    LineCapacity,
    capacity_figure,
    line_capacities,
    price_figure,
)

ITEMS = [Axis("1320-01-000-0001", "Round A"), Axis("1320-01-000-0002", "Round <B>")]
SYSTEMS = [Axis("WS1", "Howitzer 1"), Axis("WS2", "Howitzer 2"), Axis("WS3", "Howitzer 3")]
CELLS = [
    Cell(ITEMS[0].code, "WS1", "qualified", None, None),
    Cell(ITEMS[0].code, "WS3", "planned", "2029-01", None),
    Cell(ITEMS[1].code, "WS2", "in_progress", "2028-06", "<img src=x onerror=alert(1)>"),
]


def test_the_grid_has_a_cell_for_every_pair_none_where_nothing_is_recorded() -> None:
    grid = status_grid(ITEMS, SYSTEMS, CELLS)
    assert [[cell.status for cell in row] for row in grid] == [
        ["qualified", "none", "planned"],
        ["none", "in_progress", "none"],
    ]
    assert [(cell.item, cell.weapon_system) for cell in grid[1]] == [
        (ITEMS[1].code, system.code) for system in SYSTEMS
    ]


def _colour_at(scale: list[list[Any]], position: float) -> set[str]:
    """The colours a plotly colour scale gives at `position` (one for a flat band)."""
    return {
        colour
        for (low, colour), (high, next_colour) in pairwise(scale)
        if low <= position <= high and colour == next_colour
    }


def test_the_heatmap_gives_each_status_one_colour_named_on_the_colour_bar() -> None:
    figure = matrix_figure(ITEMS, SYSTEMS, status_grid(ITEMS, SYSTEMS, CELLS))
    heatmap = figure["data"][0]
    assert heatmap["type"] == "heatmap"
    names = dict(zip(heatmap["colorbar"]["tickvals"], heatmap["colorbar"]["ticktext"], strict=True))
    drawn = [[names[z] for z in row] for row in heatmap["z"]]
    assert drawn == [["qualified", "none", "planned"], ["none", "in progress", "none"]]
    span = heatmap["zmax"] - heatmap["zmin"]
    for value, status in enumerate(STATUSES):
        position = (value - heatmap["zmin"]) / span
        assert _colour_at(heatmap["colorscale"], position) == {STATUS_COLOURS[status]}
    assert len(set(STATUS_COLOURS.values())) == len(STATUSES)
    assert heatmap["y"] == [item.code for item in ITEMS]
    assert figure["layout"]["yaxis"]["ticktext"] == ["Round A", "Round &lt;B&gt;"]
    assert heatmap["x"] == [system.code for system in SYSTEMS]


def test_the_hover_gives_month_and_evidence_escaped() -> None:
    figure = matrix_figure(ITEMS, SYSTEMS, status_grid(ITEMS, SYSTEMS, CELLS))
    hover = figure["data"][0]["text"]
    assert "2028-06" in hover[1][1]
    assert "&lt;img src=x onerror=alert(1)&gt;" in hover[1][1]
    assert "<img" not in hover[1][1]
    assert "Round &lt;B&gt;" in hover[1][1]
    assert "2029-01" in hover[0][2]
    assert "from the start" in hover[0][0]
    long = [Cell(ITEMS[0].code, "WS1", "qualified", None, "x" * 5000)]
    figure = matrix_figure(ITEMS[:1], SYSTEMS[:1], status_grid(ITEMS[:1], SYSTEMS[:1], long))
    assert len(figure["data"][0]["text"][0][0]) < 400


# Six months from 2027-01: a dormant line decided in 2027-02 with one month's lead and a
# two-month ramp makes nothing until 2027-03, half in 2027-03, all from 2027-04.
DORMANT = Line("L-D", "S1", "I1", 1000, LineState.DORMANT, 1, 5e6, 2, "2027-02")
ACTIVE = Line("L-A", "S1", "I1", 800, LineState.ACTIVE)
FAR = Line("L-N", "S1", "I2", 2000, LineState.NEW, 10, 9e6, 3, None)


def test_line_capacity_follows_lead_time_and_ramp_up() -> None:
    dormant, active, far = line_capacities([DORMANT, ACTIVE, FAR], "2027-01", 6)
    assert dormant.capacity == (0, 0, 500, 1000, 1000, 1000)
    assert (dormant.first_output, dormant.full_capacity) == ("2027-03", "2027-04")
    assert active.capacity == (800,) * 6
    assert (active.first_output, active.full_capacity) == ("2027-01", "2027-01")
    assert far.capacity == (0,) * 6
    assert (far.first_output, far.full_capacity) == (None, None)


def test_the_capacity_chart_draws_steps_and_shades_each_ramp_up() -> None:
    lines = line_capacities([DORMANT, ACTIVE, FAR], "2027-01", 6)
    figure = capacity_figure(lines, "2027-01", 6)
    traces = figure["data"]
    assert [trace["y"] for trace in traces] == [list(line.capacity) for line in lines]
    assert traces[0]["x"] == ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06"]
    assert {trace["line"]["shape"] for trace in traces} == {"hv"}
    shaded = [(shape["x0"], shape["x1"]) for shape in figure["layout"]["shapes"]]
    assert shaded == [("2027-03", "2027-05")]  # to the end of the month it reaches full
    assert [note["text"] for note in figure["layout"]["annotations"]] == ["L-D ramp-up"]


def test_a_ramp_up_running_past_the_horizon_is_shaded_to_its_end() -> None:
    slow = Line("L-S", "S1", "I1", 1200, LineState.NEW, 0, 1e6, 12, "2027-04")
    lines = line_capacities([slow], "2027-01", 6)
    assert lines[0].full_capacity is None
    shaded = [(s["x0"], s["x1"]) for s in capacity_figure(lines, "2027-01", 6)["layout"]["shapes"]]
    assert shaded == [("2027-04", "2027-07")]


def test_a_line_code_is_escaped_in_the_chart() -> None:
    line = LineCapacity("<b>L</b>", "I1", LineState.ACTIVE, (1.0,), "2027-01", "2027-01")
    trace = capacity_figure([line], "2027-01", 1)["data"][0]
    assert "<b>" not in trace["name"]
    assert "<b>" not in trace["hovertemplate"]


def test_price_tiers_are_steps_from_each_threshold_on() -> None:
    prices = [
        Price("S1", "I1", 6000, 3500.0),
        Price("S1", "I2", 0, 900.0),
        Price("S1", "I1", 1000, 4000.0),
    ]
    figure = price_figure(prices, "EUR")
    by_item = {trace["name"]: trace for trace in figure["data"]}
    assert set(by_item) == {"I1", "I2"}
    assert {trace["line"]["shape"] for trace in figure["data"]} == {"hv"}
    # Each tier holds from its threshold; the last is drawn on past the largest one.
    assert by_item["I1"]["x"][:2] == [1000, 6000]
    assert by_item["I1"]["y"] == [4000.0, 3500.0, 3500.0]
    assert by_item["I1"]["x"][2] > 6000
    assert by_item["I2"]["x"][0] == 0
    assert by_item["I2"]["y"] == [900.0, 900.0]
    assert by_item["I2"]["x"][1] == by_item["I1"]["x"][2]
    assert "EUR" in figure["layout"]["yaxis"]["title"]["text"]


@pytest.mark.parametrize("prices", [[], [Price("S1", "I1", 0, 10.0)]])
def test_price_chart_edges(prices: list[Price]) -> None:
    figure = price_figure(prices, "EUR")
    assert len(figure["data"]) == len(prices)
    for trace in figure["data"]:
        assert trace["x"][-1] >= 100 * (trace["x"][0] + 1)  # a price from 0 shows as a line
