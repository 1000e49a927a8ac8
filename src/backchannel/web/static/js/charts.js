// Small hand-written SVG charts. Geometry goes in attributes, looks in
// classes (style.css): nothing inline, so they run under a strict CSP.
// Every chart has role="img", a title and a description in words.
import { s } from "./dom.js";

export function scale(d0, d1, r0, r1) {
  const span = d1 - d0 || 1;
  const f = (v) => r0 + ((v - d0) / span) * (r1 - r0);
  f.invert = (p) => d0 + ((p - r0) / (r1 - r0)) * span;
  return f;
}

export function niceTicks(lo, hi, n = 5) {
  const span = hi - lo || 1;
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((m) => m >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

export function fmtNum(v, digits = 1) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const r = Math.round(v * 10 ** digits) / 10 ** digits;
  return Number.isInteger(r) ? String(r) : r.toFixed(digits);
}

export function truncate(text, max) {
  const t = String(text ?? "");
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function chartSvg(width, height, title, desc, cls = "") {
  const svg = s("svg", {
    class: `chart ${cls}`, viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": title,
  });
  svg.append(s("title", {}, title), s("desc", {}, desc));
  return svg;
}

/** A horizontal axis at y with ticks and labels; returns the group. */
export function xAxis(x, ticks, y0, y1, fmt = (v) => fmtNum(v, 2)) {
  const g = s("g", { class: "x-axis", "aria-hidden": "true" });
  for (const t of ticks) {
    const px = x(t);
    g.append(s("line", { class: "grid", x1: px, x2: px, y1: y0, y2: y1 }));
    g.append(s("text", { class: "tick-label", x: px, y: y1 + 14, "text-anchor": "middle" }, fmt(t)));
  }
  g.append(s("line", { class: "axis", x1: x(ticks[0] ?? 0), x2: x(ticks[ticks.length - 1] ?? 1), y1, y2: y1 }));
  return g;
}

/** Marker shapes that differ in form, not only colour. */
export function marker(kind, cx, cy, r, cls) {
  switch (kind) {
    case "diamond":
      return s("path", { class: cls, d: `M${cx},${cy - r * 1.3} L${cx + r * 1.3},${cy} L${cx},${cy + r * 1.3} L${cx - r * 1.3},${cy} Z` });
    case "square":
      return s("rect", { class: cls, x: cx - r, y: cy - r, width: 2 * r, height: 2 * r });
    case "triangle":
      return s("path", { class: cls, d: `M${cx},${cy - r * 1.3} L${cx + r * 1.2},${cy + r} L${cx - r * 1.2},${cy + r} Z` });
    case "down":
      return s("path", { class: cls, d: `M${cx},${cy + r * 1.3} L${cx + r * 1.2},${cy - r} L${cx - r * 1.2},${cy - r} Z` });
    default:
      return s("circle", { class: cls, cx, cy, r });
  }
}
