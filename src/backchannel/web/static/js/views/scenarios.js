// Scenarios: a Monte Carlo run over the case's uncertain judgements —
// start it, watch its progress, cancel it — and its result: scenario
// probabilities with intervals, the sensitivity tornado, robust equilibria.
import { api, enc } from "../api.js";
import { h, s, mount, uid, announce, pct } from "../dom.js";
import { CONCEPT_LABELS, conceptLabel, caseRef, pageHeader, errorBox, loadingBox, setParams, caseHref } from "../common.js";
import { scale, niceTicks, fmtNum, truncate, chartSvg, xAxis } from "../charts.js";
import { summaryBox, scenarioReasons } from "./why.js";

const RULES = [
  ["split", "split: each reachable equilibrium gets an equal share"],
  ["nearest", "nearest: only the equilibria reached in the fewest steps"],
];
const POLL_MS = 400;

function pctText(p) {
  return pct(p, p !== null && p !== undefined && p < 0.1 && p > 0 ? 1 : 0);
}

// ---------------------------------------------------------------- charts

function probabilityChart(result) {
  const entries = Object.entries(result.scenarios || {});
  const W = 660;
  const LABEL = 200;
  const RIGHT = 130;
  const ROW = 30;
  const T = 8;
  const H = T + entries.length * ROW + 30;
  const x = scale(0, 1, LABEL, W - RIGHT);
  const desc = entries.map(([name, e]) => `${e.label || name}: ${pctText(e.p)} (interval ${pctText(e.low)} to ${pctText(e.high)})`).join("; ");
  const svg = chartSvg(W, H, "Scenario probabilities with intervals", desc);
  svg.append(xAxis(x, [0, 0.25, 0.5, 0.75, 1], T, T + entries.length * ROW, (v) => `${Math.round(v * 100)} %`));
  entries.forEach(([name, e], i) => {
    const cy = T + i * ROW + ROW / 2;
    const light = name === "unclassified";
    svg.append(s("text", { class: "row-label", x: LABEL - 10, y: cy + 4, "text-anchor": "end" }, truncate(e.label || name, 28), s("title", {}, e.label || name)));
    svg.append(s("rect", { class: light ? "bar-light" : "bar", x: x(0), y: cy - 8, width: Math.max(0, x(e.p || 0) - x(0)), height: 16 }));
    if (e.low !== undefined && e.high !== undefined) {
      const lx = x(e.low);
      const hx = x(e.high);
      svg.append(s("line", { class: "whisker", x1: lx, x2: hx, y1: cy, y2: cy }));
      svg.append(s("line", { class: "whisker", x1: lx, x2: lx, y1: cy - 6, y2: cy + 6 }));
      svg.append(s("line", { class: "whisker", x1: hx, x2: hx, y1: cy - 6, y2: cy + 6 }));
    }
    svg.append(s("text", { class: "value-label", x: W - RIGHT + 8, y: cy + 4 }, `${pctText(e.p)}  (${pctText(e.low)}–${pctText(e.high)})`));
  });
  return svg;
}

function tornadoChart(result) {
  const rows = [...(result.sensitivity || [])].sort((a, b) => (b.swing || 0) - (a.swing || 0)).slice(0, 12);
  if (!rows.length) return null;
  const scen = result.scenarios || {};
  const W = 660;
  const LABEL = 215;
  const RIGHT = 92;
  const ROW = 48;
  const T = 8;
  const H = T + rows.length * ROW + 34;
  const x = scale(0, 1, LABEL, W - RIGHT);
  const desc = rows.map((r) => `${r.label}: ${scen[r.scenario]?.label || r.scenario} from ${pctText(r.low)} (input low) to ${pctText(r.high)} (input high)`).join("; ");
  const svg = chartSvg(W, H, "Sensitivity: which uncertain input moves which scenario most", desc);
  svg.append(xAxis(x, [0, 0.25, 0.5, 0.75, 1], T, T + rows.length * ROW, (v) => `${Math.round(v * 100)} %`));
  rows.forEach((r, i) => {
    const cy = T + i * ROW + ROW / 2;
    const base = scen[r.scenario] ? scen[r.scenario].p : (r.low + r.high) / 2;
    // the input's name on up to two lines (the full text on hover and in the table below)
    const full = r.label || r.input;
    const [l1, l2] = wrapLabel(full, 30);
    const label = s("text", { class: "row-label", x: LABEL - 10, y: l2 ? cy - 12 : cy - 4, "text-anchor": "end" },
      s("title", {}, r.description ? `${full}: ${r.description}` : full), l1);
    if (l2) label.append(s("tspan", { x: LABEL - 10, dy: 13 }, l2));
    svg.append(label);
    const noise = r.significant === false ? " (noise)" : "";
    svg.append(s("text", { class: "axis-label", x: LABEL - 10, y: cy + 14, "text-anchor": "end" }, truncate(`→ ${scen[r.scenario]?.label || r.scenario}`, 36 - noise.length) + noise));
    const bx = x(base);
    const lo = x(r.low);
    const hi = x(r.high);
    svg.append(s("rect", { class: "tornado-low", x: Math.min(bx, lo), y: cy - 9, width: Math.max(1, Math.abs(bx - lo)), height: 8 }, s("title", {}, `input at its low setting: ${pctText(r.low)}`)));
    svg.append(s("rect", { class: "tornado-high", x: Math.min(bx, hi), y: cy - 1, width: Math.max(1, Math.abs(bx - hi)), height: 8 }, s("title", {}, `input at its high setting: ${pctText(r.high)}`)));
    svg.append(s("line", { class: "centre-line", x1: bx, x2: bx, y1: cy - 12, y2: cy + 10 }));
    // values in words at the right, so colour is not needed
    svg.append(s("text", { class: "value-label", x: W - RIGHT + 8, y: cy - 2 }, `low: ${pctText(r.low)}`));
    svg.append(s("text", { class: "value-label", x: W - RIGHT + 8, y: cy + 10 }, `high: ${pctText(r.high)}`));
  });
  return svg;
}

/** A label on at most two lines of about `width` characters, the second shortened with "…". */
function wrapLabel(text, width) {
  const t = String(text || "");
  if (t.length <= width) return [t, ""];
  let cut = t.lastIndexOf(" ", width);
  if (cut < width / 2) cut = width;
  return [t.slice(0, cut).trim(), truncate(t.slice(cut).trim(), width)];
}

/** Every sensitivity row in full, as a table (the chart shortens long names). */
function sensitivityTable(result) {
  const rows = [...(result.sensitivity || [])].sort((a, b) => (b.swing || 0) - (a.swing || 0));
  const scen = result.scenarios || {};
  return h("details", {}, h("summary", {}, "Table"),
    h("div", { class: "table-scroll" }, h("table", { class: "table compact sensitivity-table", "data-testid": "sensitivity-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Uncertain input"), h("th", { scope: "col" }, "Scenario it moves most"),
        h("th", { scope: "col", class: "num" }, "Input low"), h("th", { scope: "col", class: "num" }, "Input high"), h("th", { scope: "col", class: "num" }, "Swing"))),
      h("tbody", {}, rows.map((r) => h("tr", {},
        h("th", { scope: "row" }, r.label || r.input,
          r.description && !r.description.startsWith(r.label || r.input) ? h("span", { class: "small muted plain block" }, r.description) : null),
        h("td", {}, (scen[r.scenario] && scen[r.scenario].label) || r.scenario, r.significant === false ? " (noise)" : ""),
        h("td", { class: "num" }, pctText(r.low)), h("td", { class: "num" }, pctText(r.high)),
        h("td", { class: "num" }, pctText(r.swing))))))));
}

function convergenceChart(result) {
  const conv = result.convergence || [];
  if (conv.length < 2) return null;
  const names = Object.keys(result.scenarios || {});
  const W = 680;
  const H = 220;
  const L = 50;
  const R = 190;
  const T = 10;
  const B = 34;
  const maxN = conv[conv.length - 1].samples;
  const x = scale(0, maxN, L, W - R);
  const y = scale(0, 1, H - B, T);
  const svg = chartSvg(W, H, "Convergence: scenario probabilities as the samples accumulate",
    conv.map((c) => `${c.samples} samples: ${names.map((n) => `${n} ${pctText(c.scenarios[n])}`).join(", ")}; half-width ${pctText(c.half_width)}`).join(". "));
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    svg.append(s("line", { class: "grid", x1: L, x2: W - R, y1: y(t), y2: y(t) }));
    svg.append(s("text", { class: "tick-label", x: L - 6, y: y(t) + 4, "text-anchor": "end" }, `${t * 100} %`));
  }
  for (const t of niceTicks(0, maxN, 4)) svg.append(s("text", { class: "tick-label", x: x(t), y: H - B + 16, "text-anchor": "middle" }, String(t)));
  svg.append(s("text", { class: "axis-label", x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle" }, "samples"));
  let lastY = -Infinity;
  names.forEach((n, i) => {
    const pts = conv.map((c) => `${x(c.samples).toFixed(1)},${y(c.scenarios[n] ?? 0).toFixed(1)}`).join(" ");
    svg.append(s("polyline", { class: `line series-${i % 7}`, points: pts }));
    const endY = y(conv[conv.length - 1].scenarios[n] ?? 0);
    const ly = Math.max(endY + 4, lastY + 12);
    lastY = ly;
    svg.append(s("line", { class: `line series-${i % 7}`, x1: W - R + 6, x2: W - R + 24, y1: ly - 4, y2: ly - 4 }));
    svg.append(s("text", { class: "axis-label", x: W - R + 28, y: ly }, truncate(result.scenarios[n].label || n, 24)));
  });
  return svg;
}

// ---------------------------------------------------------------- result

/** The issue forecasts among the samples that end in each named future. */
function conditionalCard(result) {
  const cond = Object.entries(result.conditional_forecasts || {}).filter(([, v]) => v && v.issues && Object.keys(v.issues).length);
  if (!cond.length) return null;
  const scen = result.scenarios || {};
  const keys = [...new Set(cond.flatMap(([, v]) => Object.keys(v.issues)))];
  const label = (k) => { for (const [, v] of cond) if (v.issues[k]) return v.issues[k].label || k; return k; };
  return h("section", { class: "card", "aria-labelledby": "sc-cond" },
    h("h2", { id: "sc-cond" }, "Issue forecasts within each future"),
    h("div", { class: "table-scroll" }, h("table", { class: "table compact", "data-testid": "conditional-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Issue"), cond.map(([n, v]) => h("th", { scope: "col", class: "num" }, `${(scen[n] && scen[n].label) || n} (${fmtNum(v.samples, 0)})`)))),
      h("tbody", {}, keys.map((k) => h("tr", {}, h("th", { scope: "row" }, label(k)),
        cond.map(([, v]) => { const e = v.issues[k]; return h("td", { class: "num" }, e ? `${fmtNum(e.median)} (${fmtNum(e.low)}–${fmtNum(e.high)})` : "—"); })))))),
    h("p", { class: "small muted" }, "Among the samples that end in each future: the median forecast and, in brackets, the middle 90% (a sample split between futures counts by its share)."));
}

export function renderResult(result, { caseId } = {}) {
  const scen = result.scenarios || {};
  const robust = result.robust_equilibria || [];
  const issues = Object.entries(result.issues || {});
  const params = result.parameters || {};
  const tornado = tornadoChart(result);
  const conv = convergenceChart(result);
  if (result.graph_model === false) return bargainingResult(result, issues);
  const stateRef = (n) => (caseId ? h("a", { href: caseHref(caseId, "analysis", { state: n, concept: params.concept || "nash" }) }, `State ${n}`) : `State ${n}`);
  return h("div", { class: "scenario-result" },
    summaryBox(result.summary, { id: "sc-summary" }),
    h("p", { class: "small muted" },
      `${result.samples} samples, seed ${result.seed}; concept ${conceptLabel(params.concept || "nash")}, rule ${params.rule || "split"}`,
      params.forecast_model ? `, bargaining model ${params.forecast_model}` : "",
      result.unresolved !== undefined ? `. Samples with no reachable equilibrium: ${pctText(result.unresolved)}.` : "."),
    h("div", { class: "result-grid" },
      h("section", { class: "card", "aria-labelledby": "sc-prob" },
        h("h2", { id: "sc-prob" }, "Scenario probabilities"),
        probabilityChart(result),
        h("p", { class: "small muted" }, "Bars: the share of samples whose outcome falls in the scenario; whiskers: the 95 % interval."),
        h("details", {}, h("summary", {}, "Table"),
          h("table", { class: "table compact", "data-testid": "scenario-table" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Scenario"), h("th", { scope: "col", class: "num" }, "Probability"), h("th", { scope: "col", class: "num" }, "Low"), h("th", { scope: "col", class: "num" }, "High"))),
            h("tbody", {}, Object.entries(scen).map(([name, e]) => h("tr", { dataset: { scenario: name } },
              h("th", { scope: "row" }, e.label || name), h("td", { class: "num" }, pctText(e.p)), h("td", { class: "num" }, pctText(e.low)), h("td", { class: "num" }, pctText(e.high)))))))),
      tornado ? h("section", { class: "card", "aria-labelledby": "sc-sens" },
        h("h2", { id: "sc-sens" }, "Sensitivity"),
        tornado,
        h("p", { class: "small muted" }, "For each uncertain input, the probability of the scenario it moves most with the input at its low setting (upper bar, blue) and at its high setting (lower bar, orange); the vertical line is the overall probability. The values are written at the right."),
        sensitivityTable(result)) : null),
    h("div", { class: "result-grid" },
      h("section", { class: "card", "aria-labelledby": "sc-robust" },
        h("h2", { id: "sc-robust" }, "Robust equilibria"),
        robust.length
          ? h("div", { class: "table-scroll" }, h("table", { class: "table compact" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "State"), h("th", { scope: "col" }, "Pattern"), h("th", { scope: "col" }, "Options taken"),
              h("th", { scope: "col" }, "Scenario"),
              h("th", { scope: "col", class: "num", title: "share of samples in which it is an equilibrium" }, "Equilibrium in"),
              h("th", { scope: "col", class: "num", title: "share of samples whose outcome it is" }, "Outcome in"))),
            h("tbody", {}, robust.slice(0, 40).map((r) => h("tr", {},
              h("th", { scope: "row" }, stateRef(r.state)), h("td", {}, h("code", { class: "pattern" }, r.pattern)), h("td", {}, r.description),
              h("td", {}, (r.scenarios || []).map((n) => (scen[n] ? scen[n].label : n)).join(", ")),
              h("td", { class: "num" }, pctText(r.p_equilibrium)), h("td", { class: "num" }, pctText(r.p_outcome)))))))
          : h("p", { class: "muted" }, "No state is an equilibrium in any sample.")),
      h("div", {},
        scenarioReasons(result),
        issues.length ? h("section", { class: "card", "aria-labelledby": "sc-issues" },
          h("h2", { id: "sc-issues" }, "Bargaining forecasts under uncertainty"),
          h("table", { class: "table compact" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Issue"), h("th", { scope: "col", class: "num" }, "Mean"), h("th", { scope: "col", class: "num" }, "Interval"))),
            h("tbody", {}, issues.map(([name, e]) => h("tr", {}, h("th", { scope: "row" }, e.label || name), h("td", { class: "num" }, fmtNum(e.mean)), h("td", { class: "num" }, `${fmtNum(e.low)} – ${fmtNum(e.high)}`)))))) : null,
        conditionalCard(result),
        conv ? h("section", { class: "card", "aria-labelledby": "sc-conv" }, h("h2", { id: "sc-conv" }, "Convergence"), conv,
          result.stopping ? h("p", { class: "small" }, `Stopping rule: every named future within ±${result.stopping.until_halfwidth} — ${result.stopping.reached ? "reached" : "not reached before the cap"} after ${result.stopping.samples} samples (largest half-width ${fmtNum(result.stopping.largest_half_width, 4)}).`) : null) : null,
        (result.inputs || []).length ? h("section", { class: "card", "aria-labelledby": "sc-inputs" },
          h("h2", { id: "sc-inputs" }, "Uncertain inputs"),
          h("ul", { class: "small" }, result.inputs.map((inp) => h("li", {}, inp.description || inp.input)))) : null)));
}

/** A case with issues and actors only: its run is the bargaining forecasts under uncertainty. */
function bargainingResult(result, issues) {
  const params = result.parameters || {};
  return h("div", { class: "scenario-result" },
    h("p", { class: "small muted" }, `${result.samples} samples, seed ${result.seed}; bargaining model ${params.forecast_model || "bdm"}. The case has no decision makers with options, so there are no states or equilibria: each sample draws the uncertain positions, saliences and capabilities and forecasts every issue.`),
    h("section", { class: "card", "aria-labelledby": "sc-issues" },
      h("h2", { id: "sc-issues" }, "Bargaining forecasts under uncertainty"),
      h("table", { class: "table compact", "data-testid": "issue-table" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Issue"), h("th", { scope: "col", class: "num" }, "Mean"), h("th", { scope: "col", class: "num" }, "Interval"))),
        h("tbody", {}, issues.map(([name, e]) => h("tr", { dataset: { issue: name } }, h("th", { scope: "row" }, e.label || name), h("td", { class: "num" }, fmtNum(e.mean)), h("td", { class: "num" }, `${fmtNum(e.low)} – ${fmtNum(e.high)}`)))))),
    (result.sensitivity || []).length ? h("section", { class: "card" }, h("h2", {}, "Sensitivity"), sensitivityTable(result)) : null);
}

// ---------------------------------------------------------------- job watching

/** Poll a job until it ends; returns {stop()}. onUpdate gets every status. */
export function watchJob(jobId, onUpdate) {
  let stopped = false;
  let timer = null;
  const tick = async () => {
    if (stopped) return;
    try {
      const st = await api.get(`/api/jobs/${enc(jobId)}`);
      if (stopped) return;
      onUpdate(st, null);
      if (st.status === "queued" || st.status === "running") timer = setTimeout(tick, POLL_MS);
    } catch (err) {
      if (!stopped) onUpdate(null, err);
    }
  };
  tick();
  return { stop: () => { stopped = true; clearTimeout(timer); } };
}

export async function render(root, ctx) {
  const params = ctx.params || {};
  const ids = { samples: uid("samples"), seed: uid("seed"), concept: uid("concept"), rule: uid("rule"), until: uid("until") };
  const samples = h("input", { id: ids.samples, type: "number", min: 1, max: 20000, step: 1, value: params.samples || 1000, required: true });
  const seed = h("input", { id: ids.seed, type: "number", min: 0, step: 1, value: params.seed || 1, required: true });
  const concept = h("select", { id: ids.concept }, Object.keys(CONCEPT_LABELS).map((c) => h("option", { value: c, selected: c === (params.concept || "nash") }, conceptLabel(c))));
  const rule = h("select", { id: ids.rule }, RULES.map(([v, t]) => h("option", { value: v }, t)));
  const until = h("input", { id: ids.until, type: "number", min: 0.001, max: 0.499, step: 0.001, placeholder: "e.g. 0.01", "aria-describedby": `${ids.until}-help` });
  const startBtn = h("button", { type: "submit", class: "btn btn-primary" }, "Start the run");
  const cancelBtn = h("button", { type: "button", class: "btn", hidden: true }, "Cancel");
  const progress = h("progress", { max: 1, value: 0, "aria-label": "Progress of the run" });
  const progressText = h("span", { class: "small", role: "status", "aria-live": "polite" });
  const progressRow = h("div", { class: "progress-row", hidden: true }, progress, progressText, cancelBtn);
  const resultSlot = h("div", { class: "result-slot" });
  const form = h("form", { class: "card run-form-card", "aria-labelledby": "run-heading" },
    h("h2", { id: "run-heading" }, "New run"),
    h("div", { class: "run-form" },
      h("div", { class: "field" }, h("label", { for: ids.samples }, "Samples"), samples),
      h("div", { class: "field" }, h("label", { for: ids.seed }, "Seed"), seed),
      h("div", { class: "field" }, h("label", { for: ids.concept }, "Solution concept"), concept),
      h("div", { class: "field" }, h("label", { for: ids.rule }, "Outcome rule"), rule),
      h("div", { class: "field" }, h("label", { for: ids.until }, "Stop at interval ±"), until,
        h("span", { id: `${ids.until}-help`, class: "small muted" }, "optional: sample until every named future's 95% interval is this narrow; samples is then the cap")),
      startBtn),
    h("p", { class: "help" }, "Each sample draws the case's uncertain judgements, finds the equilibria reachable from the status quo and the scenario of the outcome. The same seed gives the same result."),
    progressRow);
  mount(root, pageHeader("Scenarios", h("a", { class: "btn btn-small", href: caseHref(ctx.caseId, "runs") }, "Runs of this case")), form, resultSlot);

  let watcher = null;
  let currentJob = null;

  function setRunning(on) {
    startBtn.disabled = on;
    cancelBtn.hidden = !on;
    progressRow.hidden = false;
  }

  async function showRun(runId, heading) {
    try {
      const run = await api.get(`/api/runs/${enc(runId)}`);
      if (!ctx.isCurrent()) return;
      if (run.result) {
        mount(resultSlot,
          h("div", { class: "card-head" }, h("h2", {}, heading || `Run ${run.id}`),
            h("span", { class: "toolbar" },
              h("a", { class: "btn btn-small", href: `/api/runs/${enc(run.id)}/download?format=json`, download: "" }, "JSON"),
              h("a", { class: "btn btn-small", href: `/api/runs/${enc(run.id)}/download?format=csv`, download: "" }, "CSV"),
              h("a", { class: "btn btn-small", href: `#/run/${enc(run.id)}` }, "Details"))),
          renderResult(run.result, { caseId: ctx.caseId }));
      }
    } catch (err) {
      mount(resultSlot, errorBox(err, "Cannot load the run"));
    }
  }

  function follow(jobId) {
    currentJob = jobId;
    setRunning(true);
    setParams({ job: jobId });
    progressText.textContent = "Starting…";
    if (watcher) watcher.stop();
    watcher = watchJob(jobId, (st, err) => {
      if (err) {
        setRunning(false);
        progressText.textContent = `Cannot follow the run: ${err.message}`;
        return;
      }
      const total = st.total || 1;
      progress.max = total;
      progress.value = st.done || 0;
      progressText.textContent = `${st.status}: ${st.done ?? 0} of ${st.total ?? "?"} samples${st.run ? ` (run ${st.run})` : ""}`;
      if (st.status === "done") {
        setRunning(false);
        setParams({ job: null });
        announce(`Run ${st.run ?? ""} finished.`);
        if (st.run) showRun(st.run, `Run ${st.run}`);
        else if (st.result) mount(resultSlot, renderResult(st.result, { caseId: ctx.caseId }));
      } else if (st.status === "failed") {
        setRunning(false);
        setParams({ job: null });
        mount(resultSlot, errorBox(new Error(st.error || "the run failed"), `Run ${st.run ?? ""} failed`));
      } else if (st.status === "cancelled") {
        setRunning(false);
        setParams({ job: null });
        announce("The run was cancelled; its finished batches are kept.");
        const resume = st.run ? h("button", { type: "button", class: "btn btn-primary", onClick: async () => {
          resume.disabled = true;
          try {
            const res = await api.post(`/api/runs/${enc(st.run)}/resume`, {});
            mount(resultSlot, loadingBox(`Run ${res.run} resumes…`));
            follow(res.job);
          } catch (err) {
            resume.disabled = false;
            mount(resultSlot, errorBox(err, "The run could not resume"));
          }
        } }, "Resume") : null;
        mount(resultSlot, h("div", { class: "card cancelled-run" },
          h("p", {}, `Run ${st.run ?? ""} was cancelled after ${st.done ?? 0} of ${st.total ?? "?"} samples. Its finished batches are kept: resuming computes only the rest, and gives the same result as an uninterrupted run.`),
          resume));
      }
    });
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    startBtn.disabled = true;
    try {
      const res = await api.post("/api/jobs", {
        kind: "scenarios", ...caseRef(ctx), samples: Number(samples.value), seed: Number(seed.value), concept: concept.value, rule: rule.value, until_halfwidth: until.value ? Number(until.value) : null,
      });
      mount(resultSlot, loadingBox(`Run ${res.run ?? ""} is under way…`));
      follow(res.job);
    } catch (err) {
      startBtn.disabled = false;
      mount(resultSlot, errorBox(err, "The run could not start"));
    }
  });
  cancelBtn.addEventListener("click", async () => {
    if (!currentJob) return;
    cancelBtn.disabled = true;
    try {
      await api.del(`/api/jobs/${enc(currentJob)}`);
      progressText.textContent = "Cancelling…";
    } catch (err) {
      announce(`Cannot cancel: ${err.message}`, "error");
    } finally {
      cancelBtn.disabled = false;
    }
  });

  if (params.job) {
    follow(params.job);
  } else {
    // The latest finished run of this case, if any.
    try {
      const runs = await api.get("/api/runs?limit=200");
      const mine = (runs || []).filter((r) => r.case_name === ctx.caseId && r.status === "done");
      if (mine.length && ctx.isCurrent()) await showRun(mine[0].id, `Latest run: ${mine[0].id}`);
      else mount(resultSlot, h("p", { class: "empty" }, "No run of this case yet."));
    } catch (err) {
      mount(resultSlot, h("p", { class: "empty" }, "No run of this case yet."));
    }
  }
  return () => {
    if (watcher) watcher.stop();
  };
}
