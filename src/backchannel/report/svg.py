"""Small, dependency-free charts as self-contained SVG strings.

Every chart is one ``<svg>`` element that can be written to a file or inlined
in HTML: a ``<title>`` and ``role="img"`` with an ``aria-label`` for screen
readers, a ``<desc>`` that states the data in words, the Okabe–Ito palette
(distinguishable with the common colour-vision deficiencies), the system font
stack (no web fonts), and nothing loaded from anywhere.  Output is
deterministic: the same input gives the same bytes (coordinates are printed
with two decimals).  Empty input gives a "no data" chart; rows or points with
a value that is not a finite number are left out.

>>> svg = bar_chart([("a", 1.0), ("b", 2.0)], title="Two bars", xlabel="count")
>>> svg.startswith("<svg") and 'role="img"' in svg and "<title>Two bars</title>" in svg
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "FONT",
    "PALETTE",
    "bar_chart",
    "interval_chart",
    "line_chart",
    "position_chart",
    "tornado",
]

#: Okabe–Ito colours, ordered for contrast on white (yellow last).
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
#: Colours for lines and markers (yellow is too light for thin strokes on white).
LINE_COLOURS: tuple[str, ...] = PALETTE[:7]
#: Dash patterns, combined with the colours when there are more series than colours.
DASHES: tuple[str, ...] = ("", "6 3", "2 3", "8 3 2 3")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
NEUTRAL = "#6e7781"

WIDTH = 720
ROW = 26
FONT_SIZE = 12
_CHAR = 0.56  # average glyph width, in ems, of the sans-serif fonts above
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ---------------------------------------------------------------------------
# helpers


def _n(x: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros, no negative zero."""
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _text(s: object) -> str:
    """Text content, escaped for XML (characters XML cannot hold are dropped)."""
    return escape(_BAD_XML.sub("", str(s)))


def _attr(s: object) -> str:
    """An attribute value, quoted and escaped."""
    return quoteattr(_BAD_XML.sub("", str(s)))


def _finite(*xs: object) -> bool:
    return all(isinstance(x, int | float) and math.isfinite(x) for x in xs)


def _width_of(s: str, size: float = FONT_SIZE) -> float:
    return len(s) * size * _CHAR


def _fit(s: str, px: float, size: float = FONT_SIZE) -> str:
    """``s`` cut with an ellipsis so that it fits in about ``px`` pixels."""
    n = max(1, int(px / (size * _CHAR)))
    return s if len(s) <= n else s[: max(1, n - 1)].rstrip() + "…"


def _label(x: float, y: float, s: str, *, px: float | None = None, anchor: str = "start", **kw: str) -> str:
    """A text element; when cut to fit, the full text is its tooltip."""
    shown = s if px is None else _fit(s, px, float(kw.get("size", FONT_SIZE)))
    size = kw.pop("size", None)
    extra = "".join(f" {k.replace('_', '-')}={_attr(v)}" for k, v in kw.items())
    if size is not None:
        extra += f' font-size="{size}"'
    tip = f"<title>{_text(s)}</title>" if shown != s else ""
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{extra}>{tip}{_text(shown)}</text>'


def _decimals(step: float) -> int:
    """Decimals that print every multiple of ``step`` exactly (0.025 → 3)."""
    if step <= 0 or not math.isfinite(step):
        return 2
    d = max(0, -math.floor(math.log10(step) + 1e-9))
    while d < 6 and abs(round(step, d) - step) > step * 1e-6:
        d += 1
    return d


def _fmt(v: float, span: float) -> str:
    """A value printed with a precision that suits a scale of ``span``."""
    d = min(3, max(0, 2 - math.floor(math.log10(span)))) if span > 0 else 2
    s = f"{v:.{d}f}"
    return s[1:] if s.startswith("-") and s.strip("-0.") == "" else s


def _ticks(lo: float, hi: float, n: int = 5) -> tuple[float, float, list[float]]:
    """Nice axis bounds covering [lo, hi] and the ticks between them."""
    if not hi > lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(1, n)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw - 1e-12)
    start = math.floor(lo / step + 1e-9) * step
    stop = math.ceil(hi / step - 1e-9) * step
    k = round((stop - start) / step)
    ticks = [round(start + i * step, 10) for i in range(k + 1)]
    return start, stop, ticks


def _scale(lo: float, hi: float, x0: float, x1: float) -> _Scale:
    return _Scale(lo, hi, x0, x1)


class _Scale:
    def __init__(self, lo: float, hi: float, p0: float, p1: float) -> None:
        self.lo, self.hi, self.p0, self.p1 = lo, hi, p0, p1

    def __call__(self, v: float) -> float:
        span = self.hi - self.lo or 1.0
        v = min(max(v, self.lo), self.hi)
        return self.p0 + (v - self.lo) / span * (self.p1 - self.p0)


def _svg(width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" aria-label={_attr(title)} '
        f'font-family={_attr(FONT)} font-size="{FONT_SIZE}" fill="{INK}">'
    )
    parts = [
        head,
        f"<title>{_text(title)}</title>",
        f"<desc>{_text(desc)}</desc>",
        f'<rect x="0" y="0" width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>',
        _label(12, 22, title, px=width - 24, size="14", font_weight="600"),
        *body,
        "</svg>",
    ]
    return "\n".join(parts) + "\n"


def _no_data(title: str) -> str:
    h = 90
    return _svg(
        WIDTH,
        h,
        title,
        "No data.",
        [_label(WIDTH / 2, 60, "no data", anchor="middle", fill=MUTED, font_style="italic")],
    )


def _columns(
    labels: list[str], value_w: float, x_lo: float, x_hi: float
) -> tuple[float, float, float, _Scale]:
    """A row chart's columns: the labels' width, the plot's left and right edges (``value_w``
    left for the printed values) and the scale of its x axis."""
    label_w = min(230.0, max(_width_of(t) for t in labels) + 8)
    left = 12 + label_w
    right = WIDTH - 12 - value_w
    return label_w, left, right, _scale(x_lo, x_hi, left, right)


def _x_axis(sx: _Scale, ticks: list[float], top: float, bottom: float, xlabel: str) -> list[str]:
    """Vertical grid lines with tick labels under them, and the axis title."""
    out = []
    d = _decimals(ticks[1] - ticks[0] if len(ticks) > 1 else 1.0)
    for t in ticks:
        x = sx(t)
        out.append(
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" stroke="{GRID}" '
            'stroke-width="1"/>'
        )
        out.append(_label(x, bottom + 15, f"{t:.{d}f}", anchor="middle", fill=MUTED, size="11"))
    out.append(_label((sx.p0 + sx.p1) / 2, bottom + 33, xlabel, anchor="middle", fill=MUTED))
    return out


def _legend(x: float, y: float, items: list[tuple[str, str, str]], width: float) -> tuple[list[str], float]:
    """Swatches (label, colour, dash) flowing left to right from (x, y); returns the height used."""
    out: list[str] = []
    cx, cy = x, y
    for label, colour, dash in items:
        w = 26 + min(_width_of(label), 260) + 18
        if cx > x and cx + w > x + width:
            cx, cy = x, cy + 18
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{_n(cx)}" y1="{_n(cy - 4)}" x2="{_n(cx + 20)}" y2="{_n(cy - 4)}" '
            f'stroke="{colour}" stroke-width="3"{dash_attr}/>'
        )
        out.append(_label(cx + 26, cy, label, px=260))
        cx += w
    return out, cy - y + 18


# ---------------------------------------------------------------------------
# charts


def interval_chart(
    rows: Sequence[tuple[str, float, float, float]],
    *,
    title: str,
    xlabel: str = "probability",
    xmax: float = 1.0,
) -> str:
    """Horizontal bars (label, p, low, high) with 95% interval whiskers; values printed.

    >>> svg = interval_chart([("Talks", 0.4, 0.35, 0.45)], title="Scenarios")
    >>> "0.40 (0.35–0.45)" in svg
    True
    """
    data = [(str(lab), p, lo, hi) for lab, p, lo, hi in rows if _finite(p)]
    if not data:
        return _no_data(title)
    top_v = max([xmax, *(max(p, hi if _finite(hi) else p) for _, p, _, hi in data)])
    x_lo, x_hi, ticks = _ticks(0.0, top_v if top_v > 0 else 1.0)
    if xmax > 0 and top_v <= xmax:
        x_hi = xmax
        ticks = [t for t in ticks if t <= xmax + 1e-12]
    label_w, left, right, sx = _columns([r[0] for r in data], 130.0, x_lo, x_hi)
    top = 50.0
    bottom = top + ROW * len(data)
    body = _x_axis(sx, ticks, top - 6, bottom, xlabel)
    desc = []
    span = x_hi - x_lo
    for k, (lab, p, lo, hi) in enumerate(data):
        y = top + k * ROW
        mid = y + ROW / 2
        body.append(_label(12, mid + 4, lab, px=label_w - 8))
        x0, x1 = sx(0.0), sx(p)
        body.append(
            f'<rect x="{_n(min(x0, x1))}" y="{_n(y + 6)}" width="{_n(abs(x1 - x0))}" '
            f'height="{_n(ROW - 12)}" fill="{PALETTE[0]}" fill-opacity="0.75"/>'
        )
        value = _fmt(p, span)
        if _finite(lo, hi):
            a, b = sx(lo), sx(hi)
            body.append(
                f'<path d="M{_n(a)} {_n(mid)}H{_n(b)}M{_n(a)} {_n(mid - 6)}V{_n(mid + 6)}'
                f'M{_n(b)} {_n(mid - 6)}V{_n(mid + 6)}" stroke="{INK}" stroke-width="1.5" fill="none"/>'
            )
            value += f" ({_fmt(lo, span)}–{_fmt(hi, span)})"
        body.append(_label(right + 10, mid + 4, value))
        desc.append(f"{lab}: {value}")
    body.append(
        _label(
            left,
            bottom + 50,
            "bar: estimate; whiskers: 95% interval",
            fill=MUTED,
            size="11",
        )
    )
    return _svg(WIDTH, bottom + 62, title, "; ".join(desc) + ".", body)


def tornado(
    rows: Sequence[tuple[str, float, float]],
    *,
    base: float,
    title: str,
    xlabel: str,
) -> str:
    """Sensitivity: per input (label, value with the input low, value with it high),
    bars from ``base`` in two colours, in the order given (largest swing first).

    >>> svg = tornado([("Capability", 0.3, 0.5)], base=0.4, title="Sensitivity", xlabel="p")
    >>> "input low" in svg and "input high" in svg
    True
    """
    data = [(str(lab), lo, hi) for lab, lo, hi in rows if _finite(lo) or _finite(hi)]
    if not data or not _finite(base):
        return _no_data(title)
    values = [base, *(v for _, lo, hi in data for v in (lo, hi) if _finite(v))]
    x_lo, x_hi, ticks = _ticks(min(values), max(values))
    label_w, left, right, sx = _columns([r[0] for r in data], 130.0, x_lo, x_hi)
    colours = (PALETTE[0], PALETTE[4])
    legend, lh = _legend(
        left, 44, [("input low", colours[0], ""), ("input high", colours[1], "")], right - left
    )
    top = 44 + lh + 6
    bottom = top + ROW * len(data)
    body = [*legend, *_x_axis(sx, ticks, top - 4, bottom, xlabel)]
    span = x_hi - x_lo
    desc = []
    for k, (lab, lo, hi) in enumerate(data):
        y = top + k * ROW
        body.append(_label(12, y + ROW / 2 + 4, lab, px=label_w - 8))
        shown = []
        for j, (v, name) in enumerate(((lo, "low"), (hi, "high"))):
            if not _finite(v):
                continue
            a, b = sx(base), sx(v)
            body.append(
                f'<rect x="{_n(min(a, b))}" y="{_n(y + 4 + j * 9)}" width="{_n(max(abs(b - a), 1.0))}" '
                f'height="9" fill="{colours[j]}"><title>{_text(f"{lab}, input {name}: {_fmt(v, span)}")}'
                "</title></rect>"
            )
            shown.append(f"{name} {_fmt(v, span)}")
        body.append(_label(right + 10, y + ROW / 2 + 4, " · ".join(shown), size="11"))
        desc.append(f"{lab}: " + ", ".join(shown))
    xb = sx(base)
    body.append(
        f'<line x1="{_n(xb)}" y1="{_n(top - 4)}" x2="{_n(xb)}" y2="{_n(bottom)}" stroke="{INK}" '
        'stroke-width="1.5"/>'
    )
    body.append(_label(xb, bottom + 50, f"base {_fmt(base, span)}", anchor="middle", fill=MUTED, size="11"))
    return _svg(WIDTH, bottom + 62, title, f"Base {_fmt(base, span)}. " + "; ".join(desc) + ".", body)


def line_chart(
    series: Mapping[str, Sequence[tuple[float, float]]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    bands: Mapping[str, Sequence[tuple[float, float, float]]] | None = None,
) -> str:
    """One line per series of (x, y) points; optional shaded bands (x, low, high) per series.

    >>> svg = line_chart({"a": [(0, 1), (1, 2)]}, title="T", xlabel="x", ylabel="y")
    >>> svg.count("<polyline")
    1
    """
    bands = bands or {}
    clean = {
        str(name): sorted((float(x), float(y)) for x, y in pts if _finite(x, y))
        for name, pts in series.items()
    }
    clean = {k: v for k, v in clean.items() if v}
    clean_bands = {
        str(name): sorted((float(x), float(lo), float(hi)) for x, lo, hi in pts if _finite(x, lo, hi))
        for name, pts in bands.items()
    }
    clean_bands = {k: v for k, v in clean_bands.items() if v}
    if not clean and not clean_bands:
        return _no_data(title)
    xs = [x for pts in clean.values() for x, _ in pts] + [x for b in clean_bands.values() for x, _, _ in b]
    ys = [y for pts in clean.values() for _, y in pts] + [
        v for b in clean_bands.values() for _, lo, hi in b for v in (lo, hi)
    ]
    x_lo, x_hi = min(xs), max(xs)
    if x_hi == x_lo:
        x_lo, x_hi = x_lo - 1, x_hi + 1
    y_lo, y_hi, yticks = _ticks(min(ys), max(ys))
    _, _, xticks = _ticks(x_lo, x_hi, 6)
    xticks = [t for t in xticks if x_lo - 1e-9 <= t <= x_hi + 1e-9] or [x_lo, x_hi]
    names = list(dict.fromkeys([*clean, *clean_bands]))
    k = len(LINE_COLOURS)
    style = {n: (LINE_COLOURS[i % k], DASHES[(i // k) % len(DASHES)]) for i, n in enumerate(names)}
    left, right = 70.0, WIDTH - 16.0
    legend, lh = _legend(left, 46, [(n, *style[n]) for n in names], right - left)
    top = 46 + lh + 8
    bottom = top + 260
    sx = _scale(x_lo, x_hi, left, right)
    sy = _scale(y_lo, y_hi, bottom, top)
    body = [*legend, *_x_axis(sx, xticks, top, bottom, xlabel)]
    d = _decimals(yticks[1] - yticks[0] if len(yticks) > 1 else 1.0)
    for t in yticks:
        y = sy(t)
        body.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" stroke="{GRID}" '
            'stroke-width="1"/>'
        )
        body.append(_label(left - 6, y + 4, f"{t:.{d}f}", anchor="end", fill=MUTED, size="11"))
    cy = (top + bottom) / 2
    body.append(
        f'<text x="16" y="{_n(cy)}" text-anchor="middle" fill="{MUTED}" '
        f'transform="rotate(-90 16 {_n(cy)})">{_text(_fit(ylabel, bottom - top))}</text>'
    )
    for name, band in clean_bands.items():
        colour = style[name][0]
        upper = " ".join(f"{_n(sx(x))},{_n(sy(hi))}" for x, _, hi in band)
        lower = " ".join(f"{_n(sx(x))},{_n(sy(lo))}" for x, lo, _ in reversed(band))
        body.append(f'<polygon points="{upper} {lower}" fill="{colour}" fill-opacity="0.15" stroke="none"/>')
    desc = []
    span = y_hi - y_lo
    for name, pts in clean.items():
        colour, dash = style[name]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        coords = " ".join(f"{_n(sx(x))},{_n(sy(y))}" for x, y in pts)
        body.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}>'
            f"<title>{_text(name)}</title></polyline>"
        )
        if len(pts) <= 40:
            body.extend(
                f'<circle cx="{_n(sx(x))}" cy="{_n(sy(y))}" r="2.5" fill="{colour}"/>' for x, y in pts
            )
        desc.append(
            f"{name}: from {_fmt(pts[0][1], span)} at {xlabel} {pts[0][0]:g} "
            f"to {_fmt(pts[-1][1], span)} at {pts[-1][0]:g}"
        )
    return _svg(WIDTH, bottom + 44, title, "; ".join(desc) + "." if desc else "Bands only.", body)


def bar_chart(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    xlabel: str,
    xmax: float | None = None,
) -> str:
    """Horizontal bars (label, value) from zero, values printed.

    >>> "2.0" in bar_chart([("a", 2.0)], title="T", xlabel="x")
    True
    """
    data = [(str(lab), v) for lab, v in rows if _finite(v)]
    if not data:
        return _no_data(title)
    vals = [v for _, v in data]
    hi_v = max([0.0, *vals] + ([xmax] if xmax is not None and _finite(xmax) else []))
    lo_v = min([0.0, *vals])
    x_lo, x_hi, ticks = _ticks(lo_v, hi_v if hi_v > lo_v else lo_v + 1)
    if xmax is not None and _finite(xmax) and max(vals) <= xmax and lo_v >= 0:
        x_hi = xmax
        ticks = [t for t in ticks if t <= xmax + 1e-12]
    label_w, _left, right, sx = _columns([r[0] for r in data], 70.0, x_lo, x_hi)
    top = 50.0
    bottom = top + ROW * len(data)
    body = _x_axis(sx, ticks, top - 6, bottom, xlabel)
    span = x_hi - x_lo
    desc = []
    for k, (lab, v) in enumerate(data):
        y = top + k * ROW
        body.append(_label(12, y + ROW / 2 + 4, lab, px=label_w - 8))
        a, b = sx(0.0), sx(v)
        body.append(
            f'<rect x="{_n(min(a, b))}" y="{_n(y + 6)}" width="{_n(abs(b - a))}" height="{_n(ROW - 12)}" '
            f'fill="{PALETTE[0]}" fill-opacity="0.75"/>'
        )
        body.append(_label(right + 10, y + ROW / 2 + 4, _fmt(v, span)))
        desc.append(f"{lab}: {_fmt(v, span)}")
    return _svg(WIDTH, bottom + 46, title, "; ".join(desc) + ".", body)


def position_chart(
    scale: tuple[float, float],
    points: Sequence[tuple[str, float, float]],
    markers: Sequence[tuple[str, float]],
    *,
    title: str,
    low_label: str | None,
    high_label: str | None,
) -> str:
    """An issue's scale: actors' positions (label, position, weight; the dot's area
    grows with the weight) on rows of their own, and labelled vertical markers
    (e.g. model forecasts) across them.

    >>> svg = position_chart((0, 100), [("A", 20, 1.0)], [("median", 20)],
    ...                      title="Issue", low_label="0 = none", high_label="100 = all")
    >>> "0 = none" in svg and "median" in svg
    True
    """
    lo, hi = float(scale[0]), float(scale[1])
    if not (_finite(lo, hi) and hi > lo):
        return _no_data(title)
    pts = [
        (str(lab), float(x), float(w) if _finite(w) and w > 0 else 0.0) for lab, x, w in points if _finite(x)
    ]
    # markers keep the colour of their place in the input (the same model, the same
    # colour on every chart); markers at the same printed value share one line
    groups: dict[str, list[tuple[str, float, int]]] = {}
    for k, (lab, x) in enumerate(markers):
        if _finite(x):
            groups.setdefault(_fmt(float(x), hi - lo), []).append((str(lab), float(x), k))
    marks = sorted(
        ((" · ".join(m[0] for m in g) + f" {v}", g[0][1], g[0][2]) for v, g in groups.items()),
        key=lambda m: m[1],
    )
    if not pts and not marks:
        return _no_data(title)
    left, right = 24.0, WIDTH - 24.0
    sx = _scale(lo, hi, left, right)
    # marker labels in levels, so that they do not overlap
    levels: list[list[tuple[float, float]]] = []
    placed: list[tuple[float, int]] = []
    for text, x, _ in marks:
        w = _width_of(text, 11)
        px = min(max(sx(x), left + w / 2), right - w / 2)
        span = (px - w / 2 - 4, px + w / 2 + 4)
        level = next(
            (i for i, used in enumerate(levels) if all(span[1] < a or span[0] > b for a, b in used)),
            len(levels),
        )
        if level == len(levels):
            levels.append([])
        levels[level].append(span)
        placed.append((px, level))
    top = 44 + 16 * len(levels) + 6
    row = 22.0
    max_w = max((w for _, _, w in pts), default=0.0)
    bottom = top + row * max(1, len(pts)) + 6
    body: list[str] = []
    _, _, ticks = _ticks(lo, hi)
    ticks = [t for t in ticks if lo - 1e-9 <= t <= hi + 1e-9]
    body.extend(_x_axis(sx, ticks, top, bottom, "")[:-1])
    body.append(
        f'<line x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(right)}" y2="{_n(bottom)}" stroke="{MUTED}"/>'
    )
    desc = []
    for k, (lab, x, w) in enumerate(pts):
        y = top + row * k + row / 2
        r = 3.0 + (9.0 * math.sqrt(w / max_w) if max_w > 0 else 0.0)
        cx = sx(x)
        tip = _text(f"{lab}: {_fmt(x, hi - lo)}")
        body.append(
            f'<circle cx="{_n(cx)}" cy="{_n(y)}" r="{_n(r)}" fill="{NEUTRAL}" fill-opacity="0.55" '
            f'stroke="{INK}" stroke-width="0.75"><title>{tip}</title></circle>'
        )
        room_right = right - (cx + r + 4)
        if room_right >= min(_width_of(lab, 11), 160) or room_right >= cx - r - 4 - left:
            body.append(_label(cx + r + 4, y + 4, lab, px=max(room_right, 30), size="11"))
        else:
            body.append(_label(cx - r - 4, y + 4, lab, px=cx - r - 4 - left, anchor="end", size="11"))
        desc.append(f"{lab} at {_fmt(x, hi - lo)}")
    for k, (text, x, first) in enumerate(marks):
        px, level = placed[k]
        colour = LINE_COLOURS[first % len(LINE_COLOURS)]
        dash = DASHES[first // len(LINE_COLOURS) % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        xm = sx(x)
        ly = 44 + 16 * level + 8
        body.append(
            f'<line x1="{_n(xm)}" y1="{_n(ly + 4)}" x2="{_n(xm)}" y2="{_n(bottom)}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>'
        )
        body.append(_label(px, ly, text, anchor="middle", fill=colour, size="11"))
        desc.append(text)
    y = bottom + 32
    if low_label:
        body.append(_label(left, y, f"◀ {low_label}", px=right - left, fill=MUTED, size="11"))
        y += 16
    if high_label:
        body.append(_label(right, y, f"{high_label} ▶", px=right - left, anchor="end", fill=MUTED, size="11"))
        y += 16
    return _svg(WIDTH, y + 4, title, "; ".join(desc) + ".", body)
