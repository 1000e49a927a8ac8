"""The SVG charts: well-formed, accessible, escaped, deterministic, robust to empty and NaN input."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from backchannel.report import svg

NS = "{http://www.w3.org/2000/svg}"
NAN = math.nan
NASTY = 'A <b> & "quoted" label'

CHARTS: dict[str, Callable[[], str]] = {
    "interval": lambda: svg.interval_chart(
        [("Expanded negotiations", 0.41, 0.38, 0.44), ("Frozen conflict", 0.2, 0.17, 0.23)],
        title="Scenario probabilities",
    ),
    "tornado": lambda: svg.tornado(
        [("Russia position on sanctions", 0.30, 0.51), ("US capability", 0.45, 0.38)],
        base=0.41,
        title="Sensitivity",
        xlabel="probability",
    ),
    "line": lambda: svg.line_chart(
        {"a": [(250, 0.40), (500, 0.41), (750, 0.405)], "b": [(250, 0.2), (500, 0.19), (750, 0.2)]},
        bands={"a": [(250, 0.34, 0.46), (500, 0.37, 0.45), (750, 0.38, 0.43)]},
        title="Convergence",
        xlabel="samples",
        ylabel="probability",
    ),
    "bar": lambda: svg.bar_chart([("a", 3.0), ("b", -1.0), ("c", 7.5)], title="Bars", xlabel="x"),
    "position": lambda: svg.position_chart(
        (0, 100),
        [("United States", 50, 0.5), ("Russia", 100, 0.8), ("Ukraine", 0, 0.4)],
        [("Compromise", 44.4), ("Median", 50), ("Reference", 50)],
        title="Line of control",
        low_label="0 = borders restored",
        high_label="100 = territory ceded",
    ),
}


def parse(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{NS}svg"
    return root


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_charts_are_well_formed_and_accessible(name: str) -> None:
    text = CHARTS[name]()
    root = parse(text)
    assert root.get("role") == "img"
    title = root.find(f"{NS}title")
    assert title is not None and title.text
    assert root.get("aria-label") == title.text
    desc = root.find(f"{NS}desc")
    assert desc is not None and desc.text
    assert "font-family" in root.attrib and "system-ui" in root.attrib["font-family"]
    # nothing is loaded from anywhere
    assert "href" not in text and "url(" not in text and "@import" not in text
    # coordinates are printed with at most two decimals
    for value in re.findall(r'\s(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height)="([^"]*)"', text):
        assert re.fullmatch(r"-?\d+(\.\d{1,2})?", value), value


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_charts_are_deterministic(name: str) -> None:
    assert CHARTS[name]() == CHARTS[name]()


def test_colours_are_okabe_ito() -> None:
    text = "".join(f() for f in CHARTS.values())
    used = {c.upper() for c in re.findall(r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', text)}
    allowed = {c.upper() for c in svg.PALETTE} | {svg.INK.upper(), svg.MUTED.upper(), svg.GRID.upper()}
    allowed |= {svg.NEUTRAL.upper(), "#FFFFFF"}
    assert used <= allowed, used - allowed


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{NS}text")]


def test_text_is_escaped() -> None:
    charts = [
        svg.interval_chart([(NASTY, 0.5, 0.4, 0.6)], title=NASTY),
        svg.tornado([(NASTY, 0.2, 0.6)], base=0.4, title=NASTY, xlabel=NASTY),
        svg.line_chart({NASTY: [(0, 1), (1, 2)]}, title=NASTY, xlabel=NASTY, ylabel=NASTY),
        svg.bar_chart([(NASTY, 1.0)], title=NASTY, xlabel=NASTY),
        svg.position_chart(
            (0, 10), [(NASTY, 5, 1)], [(NASTY, 4)], title=NASTY, low_label=NASTY, high_label=NASTY
        ),
    ]
    for text in charts:
        assert "<b>" not in text
        root = parse(text)
        assert root.get("aria-label") == NASTY
        assert root.findtext(f"{NS}title") == NASTY
        assert any(NASTY in t for t in texts(root))


def test_control_characters_are_dropped() -> None:
    root = parse(svg.bar_chart([("a\x00b\x1f", 1.0)], title="t\x07", xlabel="x"))
    assert root.findtext(f"{NS}title") == "t"


@pytest.mark.parametrize(
    "make",
    [
        lambda: svg.interval_chart([], title="Nothing"),
        lambda: svg.tornado([], base=0.5, title="Nothing", xlabel="p"),
        lambda: svg.line_chart({}, title="Nothing", xlabel="x", ylabel="y"),
        lambda: svg.line_chart({"a": []}, title="Nothing", xlabel="x", ylabel="y", bands={"a": []}),
        lambda: svg.bar_chart([], title="Nothing", xlabel="x"),
        lambda: svg.position_chart((0, 100), [], [], title="Nothing", low_label=None, high_label=None),
        lambda: svg.interval_chart([("a", NAN, NAN, NAN)], title="Nothing"),
        lambda: svg.bar_chart([("a", NAN)], title="Nothing", xlabel="x"),
        lambda: svg.tornado([("a", NAN, NAN)], base=0.5, title="Nothing", xlabel="p"),
        lambda: svg.tornado([("a", 0.1, 0.2)], base=NAN, title="Nothing", xlabel="p"),
        lambda: svg.line_chart({"a": [(0, NAN), (NAN, 1)]}, title="Nothing", xlabel="x", ylabel="y"),
        lambda: svg.position_chart(
            (0, 0), [("a", 1, 1)], [], title="Nothing", low_label=None, high_label=None
        ),
    ],
)
def test_empty_input_gives_a_no_data_chart(make: Callable[[], str]) -> None:
    root = parse(make())
    assert root.findtext(f"{NS}title") == "Nothing"
    assert "no data" in texts(root)


def test_nan_rows_and_points_are_skipped() -> None:
    root = parse(svg.interval_chart([("keep", 0.3, 0.2, 0.4), ("drop", NAN, 0.1, 0.2)], title="t"))
    assert any("keep" in t for t in texts(root)) and not any("drop" in t for t in texts(root))
    # a missing interval keeps the bar, without whiskers
    root = parse(svg.interval_chart([("bar only", 0.3, NAN, NAN)], title="t"))
    assert root.findall(f".//{NS}path") == [] and any(t == "0.30" for t in texts(root))
    root = parse(svg.bar_chart([("keep", 1.0), ("drop", NAN)], title="t", xlabel="x"))
    assert not any("drop" in t for t in texts(root))
    root = parse(svg.line_chart({"a": [(0, 1), (1, NAN), (2, 3)]}, title="t", xlabel="x", ylabel="y"))
    (line,) = root.iter(f"{NS}polyline")
    assert len(line.get("points", "").split()) == 2
    root = parse(
        svg.position_chart(
            (0, 100),
            [("keep", 10, 1), ("drop", NAN, 1), ("no weight", 20, NAN)],
            [("m", NAN)],
            title="t",
            low_label=None,
            high_label=None,
        )
    )
    labels = texts(root)
    assert "keep" in labels and "no weight" in labels and "drop" not in labels
    assert not any(t.startswith("m ") for t in labels)


def test_tornado_keeps_the_order_and_has_a_legend() -> None:
    rows = [("first", 0.1, 0.9), ("second", 0.4, 0.6), ("third", 0.45, 0.5)]
    root = parse(svg.tornado(rows, base=0.5, title="t", xlabel="p"))
    labels = texts(root)
    assert "input low" in labels and "input high" in labels
    assert [t for t in labels if t in ("first", "second", "third")] == ["first", "second", "third"]
    # two bars per row, in two colours
    fills = [r.get("fill") for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]
    assert len(fills) == 6 and len(set(fills)) == 2


def test_interval_chart_prints_values() -> None:
    text = svg.interval_chart([("a", 0.412, 0.38, 0.44)], title="t")
    assert "0.41 (0.38–0.44)" in text
    # values beyond xmax widen the axis rather than overflow it
    root = parse(svg.interval_chart([("a", 1.4, 1.2, 1.6)], title="t", xmax=1.0))
    assert any(t.startswith("1.40") for t in texts(root))


def test_position_chart_merges_markers_at_the_same_value() -> None:
    root = parse(CHARTS["position"]())
    labels = texts(root)
    assert "Median · Reference 50" in labels
    assert "Compromise 44" in labels
    assert "◀ 0 = borders restored" in labels and "100 = territory ceded ▶" in labels


def test_line_chart_styles_many_series_apart() -> None:
    series = {f"s{k}": [(0.0, float(k)), (1.0, float(k) + 1)] for k in range(10)}
    root = parse(svg.line_chart(series, title="t", xlabel="x", ylabel="y"))
    styles = {(p.get("stroke"), p.get("stroke-dasharray")) for p in root.iter(f"{NS}polyline")}
    assert len(styles) == 10
