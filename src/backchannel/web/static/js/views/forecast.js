// Forecast: per issue, the actors' positions on the scale, each model's
// forecast, and the round-by-round trajectory of the expected-utility model.
import { api, cached } from "../api.js";
import { h, s, mount, uid } from "../dom.js";
import { caseKey, caseRef, pageHeader, errorBox, loadingBox, setParams, caseHref } from "../common.js";
import { caseObject } from "./shared.js";
import { scale, niceTicks, fmtNum, truncate, chartSvg, xAxis, marker } from "../charts.js";

const MODEL_TEXT = {
  compromise: "Compromise",
  median: "Weighted median",
  nash: "Nash bargaining",
  bdm: "Expected utility",
};
const MODEL_SHAPE = { compromise: "diamond", median: "triangle", nash: "down", bdm: "square" };

function numberOf(v) {
  return v !== null && typeof v === "object" ? v.value : v;
}

function positionChart(name, issue, actors, caseIssue, models) {
  const [lo, hi] = issue.scale || [0, 100];
  const W = 640;
  const LABEL = 165;
  const RIGHT = 104;
  const ROW = 22;
  const top = 10;
  const rows = actors.length + 1 + models.length;
  const H = top + rows * ROW + 36;
  const x = scale(lo, hi, LABEL, W - RIGHT);
  const ticks = niceTicks(lo, hi, 5);
  const plotBottom = top + rows * ROW;
  const desc = [
    ...actors.map((a) => `${a.label}: position ${fmtNum(a.position)}, salience ${fmtNum(a.salience, 2)}`),
    ...models.map((m) => `${MODEL_TEXT[m] || m}: ${fmtNum(issue[m])}`),
    issue.reference !== null && issue.reference !== undefined ? `reference point ${fmtNum(issue.reference)}` : "",
  ].filter(Boolean).join("; ");
  const svg = chartSvg(W, H, `Positions and forecasts on ${issue.label || name}`, desc);
  svg.append(xAxis(x, ticks, top, plotBottom));
  // forecasts' spread
  if (issue.spread && issue.spread.low !== undefined) {
    const y0 = top + (actors.length + 1) * ROW;
    svg.append(s("rect", { class: "band", x: x(issue.spread.low), y: y0 - 3, width: Math.max(2, x(issue.spread.high) - x(issue.spread.low)), height: models.length * ROW + 2 },
      s("title", {}, `range of the forecasts: ${fmtNum(issue.spread.low)} to ${fmtNum(issue.spread.high)}`)));
  }
  actors.forEach((a, i) => {
    const cy = top + i * ROW + ROW / 2;
    svg.append(s("text", { class: "row-label", x: LABEL - 10, y: cy + 4, "text-anchor": "end" }, truncate(a.label, 20), s("title", {}, a.label)));
    if (a.position === undefined || a.position === null) {
      svg.append(s("text", { class: "value-label", x: LABEL, y: cy + 4 }, "no position"));
      return;
    }
    const px = x(a.position);
    if (a.salience !== undefined && a.salience !== null) {
      // salience as a short bar under the marker: wider = more salient
      const half = 4 + 18 * Math.max(0, Math.min(1, a.salience));
      svg.append(s("line", { class: `salience series-${i % 7}`, x1: px - half, x2: px + half, y1: cy, y2: cy }));
    }
    svg.append(s("circle", { class: `actor-mark dm-${i % 7}`, cx: px, cy, r: 6 }));
    svg.append(s("text", { class: "value-label", x: W - RIGHT + 26, y: cy + 4 }, `${fmtNum(a.position)}${a.salience !== undefined && a.salience !== null ? ` · s ${fmtNum(a.salience, 2)}` : ""}`));
  });
  const sepY = top + actors.length * ROW + ROW / 2;
  svg.append(s("text", { class: "axis-label", x: LABEL - 10, y: sepY + 4, "text-anchor": "end" }, "Forecasts"));
  models.forEach((m, j) => {
    const cy = top + (actors.length + 1 + j) * ROW + ROW / 2;
    svg.append(s("text", { class: "row-label", x: LABEL - 10, y: cy + 4, "text-anchor": "end" }, MODEL_TEXT[m] || m));
    const v = issue[m];
    if (v === null || v === undefined) return;
    if (m === "bdm" && Array.isArray(issue.bdm_range)) {
      // not converged: the range it keeps swinging over, not the last round
      const [a, b] = issue.bdm_range;
      svg.append(s("rect", { class: "band", x: x(a), y: cy - 6, width: Math.max(2, x(b) - x(a)), height: 12 },
        s("title", {}, `not converged: swings between ${fmtNum(a)} and ${fmtNum(b)}`)));
      svg.append(s("text", { class: "value-label", x: W - RIGHT + 26, y: cy + 4 }, `${fmtNum(a)}–${fmtNum(b)} ↻`));
      return;
    }
    svg.append(marker(MODEL_SHAPE[m] || "circle", x(v), cy, 5.5, `model-mark m-${m}`));
    svg.append(s("text", { class: "value-label", x: W - RIGHT + 26, y: cy + 4 }, fmtNum(v)));
  });
  if (issue.reference !== null && issue.reference !== undefined) {
    const rx = x(issue.reference);
    svg.append(s("line", { class: "ref-line", x1: rx, x2: rx, y1: top - 4, y2: plotBottom }));
    svg.append(s("text", { class: "axis-label", x: rx, y: plotBottom + 28, "text-anchor": "middle" }, `reference ${fmtNum(issue.reference)}`));
  }
  if (issue.outcome !== null && issue.outcome !== undefined) {
    const ox = x(issue.outcome);
    svg.append(s("line", { class: "centre-line", x1: ox, x2: ox, y1: top - 4, y2: plotBottom }));
    svg.append(s("text", { class: "axis-label", x: ox, y: top - 0, "text-anchor": "middle" }, `recorded ${fmtNum(issue.outcome)}`));
  }
  void caseIssue;
  return svg;
}

function trajectoryChart(name, issue, actors) {
  const rounds = issue.bdm_rounds || [];
  if (rounds.length < 2) return null;
  const [lo, hi] = issue.scale || [0, 100];
  const W = 640;
  const H = 230;
  const L = 48;
  const R = 150;
  const T = 14;
  const B = 36;
  const x = scale(0, rounds.length - 1, L, W - R);
  const y = scale(lo, hi, H - B, T);
  const desc = `Expected-utility model, forecast after each round: ${rounds.map((v, i) => `round ${i}: ${fmtNum(v)}`).join(", ")}.`;
  const svg = chartSvg(W, H, `Round-by-round forecast on ${issue.label || name}`, desc);
  const g = s("g", { "aria-hidden": "true" });
  for (const t of niceTicks(lo, hi, 4)) {
    g.append(s("line", { class: "grid", x1: L, x2: W - R, y1: y(t), y2: y(t) }));
    g.append(s("text", { class: "tick-label", x: L - 6, y: y(t) + 4, "text-anchor": "end" }, fmtNum(t)));
  }
  const step = Math.max(1, Math.ceil((rounds.length - 1) / 10));
  for (let i = 0; i < rounds.length; i += step) g.append(s("text", { class: "tick-label", x: x(i), y: H - B + 16, "text-anchor": "middle" }, String(i)));
  g.append(s("text", { class: "axis-label", x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle" }, "round"));
  g.append(s("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }));
  svg.append(g);
  // actors' positions as faint guides, labelled at the right (grouped when equal)
  const byPos = new Map();
  for (const a of actors) {
    if (a.position === null || a.position === undefined) continue;
    const key = fmtNum(a.position);
    byPos.set(key, [...(byPos.get(key) || []), a]);
  }
  let lastY = -Infinity;
  [...byPos.entries()].sort((a, b) => Number(b[0]) - Number(a[0])).forEach(([key, list]) => {
    const py = y(Number(key));
    svg.append(s("line", { class: "grid", x1: L, x2: W - R, y1: py, y2: py }));
    const ly = Math.max(py + 4, lastY + 12);
    lastY = ly;
    svg.append(s("text", { class: "axis-label", x: W - R + 6, y: ly }, truncate(`${list.map((a) => a.name).join(", ")} ${key}`, 24)));
  });
  const pts = rounds.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  svg.append(s("polyline", { class: "traj", points: pts }));
  rounds.forEach((v, i) => svg.append(s("circle", { class: "traj-point", cx: x(i), cy: y(v), r: 3.2 }, s("title", {}, `round ${i}: ${fmtNum(v, 2)}`))));
  return svg;
}

function issueCard(name, issue, result, obj) {
  const caseIssue = (obj && obj.issues && obj.issues[name]) || {};
  const models = (result.models || ["compromise", "median", "nash", "bdm"]).filter((m) => m in issue);
  const actorsInCase = (obj && obj.actors) || [];
  const actors = (result.actors || []).map((a) => {
    const ca = actorsInCase.find((x) => x.name === a.name) || {};
    return {
      name: a.name,
      label: a.label || a.name,
      position: numberOf((ca.positions || {})[name]),
      salience: numberOf((ca.salience || {})[name]),
    };
  }).filter((a) => a.position !== undefined && a.position !== null);
  const traj = trajectoryChart(name, issue, actors);
  const id = uid("issue");
  const moves = issue.bdm_moves || [];
  return h("section", { class: "card issue-card", "aria-labelledby": id },
    h("h2", { id }, issue.label || name, " ", h("code", { class: "small muted" }, name)),
    h("p", { class: "issue-ends" }, h("span", {}, `◀ ${caseIssue.low || fmtNum((issue.scale || [0])[0])}`), h("span", {}, `${caseIssue.high || fmtNum((issue.scale || [0, 100])[1])} ▶`)),
    positionChart(name, issue, actors, caseIssue, models),
    h("p", { class: "small muted" }, "Circles: actors' positions (the bar under each: its salience). Forecasts: ◆ compromise, ▲ median, ▼ Nash bargaining, ■ expected utility; the shaded band is their range; the dashed line is the reference point."),
    (issue.notes || []).length ? h("ul", { class: "small forecast-notes" }, issue.notes.map((n) => h("li", {}, n))) : null,
    traj ? h("h3", {}, "Expected-utility model, round by round") : null,
    traj,
    h("details", { class: "forecast-values" },
      h("summary", {}, "Numbers"),
      h("table", { class: "table compact" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Model"), h("th", { scope: "col", class: "num" }, "Forecast"))),
        h("tbody", {}, models.map((m) => h("tr", {}, h("th", { scope: "row" }, MODEL_TEXT[m] || m), h("td", { class: "num" },
          m === "bdm" && Array.isArray(issue.bdm_range) ? `${fmtNum(issue.bdm_range[0], 2)}–${fmtNum(issue.bdm_range[1], 2)} (not converged)`
            : m === "nash" && issue.nash_agreement === false ? `${fmtNum(issue[m], 2)} (no agreement)` : fmtNum(issue[m], 2)))))),
      moves.length ? h("table", { class: "table compact moves-table" },
        h("caption", { class: "small muted" }, "Expected-utility model: the moves of each round"),
        h("thead", {}, h("tr", {}, ["Round", "Actor", "Towards", "Kind", "From", "To"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, moves.slice(0, 60).map((mv) => h("tr", {},
          h("td", { class: "num" }, String(mv.round)), h("td", {}, mv.actor), h("td", {}, mv.towards), h("td", {}, String(mv.kind).replace(/_/g, " ")),
          h("td", { class: "num" }, fmtNum(mv.from)), h("td", { class: "num" }, fmtNum(mv.to)))))) : null));
}

export async function render(root, ctx) {
  const params = ctx.params || {};
  let rounds = Number(params.rounds) > 0 ? Number(params.rounds) : 10;
  const roundsId = uid("rounds");
  const roundsInput = h("input", { id: roundsId, type: "number", min: 1, max: 200, value: rounds });
  const body = h("div", {});
  const form = h("form", { class: "toolbar" },
    h("label", { for: roundsId }, "Rounds of the expected-utility model"), roundsInput,
    h("button", { type: "submit", class: "btn" }, "Update"));
  mount(root, pageHeader("Forecast", form),
    h("p", { class: "lead" }, "Where bargaining lands, issue by issue, according to four models. The forecasts rest on the actors' positions, saliences and capabilities in the case."),
    body);

  async function load() {
    mount(body, loadingBox("Forecasting…"));
    const obj0 = await caseObject(ctx).catch(() => null);
    if (obj0 && !obj0.issues && !obj0.actors) {
      mount(body, h("p", { class: "empty" }, "This case has no issues and actors to bargain over. Add them in the ",
        h("a", { href: caseHref(ctx.caseId, "edit") }, "Editor"), "."));
      return;
    }
    try {
      const [result, obj] = await Promise.all([
        cached(`forecast${caseKey(ctx)}|${rounds}`, () => api.post("/api/forecast", { ...caseRef(ctx), rounds })),
        caseObject(ctx).catch(() => null),
      ]);
      if (!ctx.isCurrent()) return;
      const names = Object.keys(result.issues || {});
      if (!names.length) {
        mount(body, h("p", { class: "empty" }, "This case has no issues and actors to bargain over."));
        return;
      }
      mount(body, h("div", { class: "issue-grid" }, names.map((n) => issueCard(n, result.issues[n], result, obj))));
    } catch (err) {
      mount(body, errorBox(err, "No forecast"));
    }
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = Number(roundsInput.value);
    if (!(v >= 1)) return;
    rounds = v;
    setParams({ rounds: v === 10 ? null : v });
    load();
  });
  await load();
  return undefined;
}
