// Compare: two runs (#/compare?a=<run>&b=<run>) or two versions of a case
// (#/compare?case=<id>&va=<version>&vb=<version>) side by side — the scenario
// probabilities with their intervals, and what changed in the inputs.
import { api, enc } from "../api.js";
import { h, s, mount, pct } from "../dom.js";
import { pageHeader, errorBox, loadingBox, conceptLabel, caseHref } from "../common.js";
import { parseYaml } from "../yaml.js";

function pctText(p) {
  return p === null || p === undefined ? "–" : pct(p, p < 0.1 && p > 0 ? 1 : 0);
}

function parseCase(text, format) {
  try {
    return format === "json" || format === "gmcr" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    return null;
  }
}

/** path → value of every leaf of a case (lists by index, mappings by key). */
function flatten(value, prefix = "", out = new Map()) {
  if (Array.isArray(value)) {
    if (!value.length) out.set(prefix, "[]");
    value.forEach((v, i) => flatten(v, prefix ? `${prefix}.${i}` : String(i), out));
  } else if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (!entries.length) out.set(prefix, "{}");
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** What differs between two cases: [{path, before, after}], in the order of the second. */
export function inputChanges(a, b) {
  const fa = flatten(a || {});
  const fb = flatten(b || {});
  const out = [];
  for (const [k, v] of fb) if (!fa.has(k) || fa.get(k) !== v) out.push({ path: k, before: fa.get(k), after: v });
  for (const [k, v] of fa) if (!fb.has(k)) out.push({ path: k, before: v, after: undefined });
  return out;
}

const show = (v) => (v === undefined ? h("span", { class: "muted" }, "(absent)") : h("code", {}, typeof v === "string" ? v : JSON.stringify(v)));

export function sideBySide(left, right, labels) {
  const sa = left.scenarios || {};
  const sb = right.scenarios || {};
  const names = [...new Set([...Object.keys(sa), ...Object.keys(sb)])];
  const bar = (e) => s("svg", { class: "cmp-bar", viewBox: "0 0 100 10", width: 100, height: 10, "aria-hidden": "true", focusable: "false" },
    s("rect", { class: "cmp-track", x: 0, y: 0, width: 100, height: 10 }),
    s("rect", { class: "cmp-fill", x: 0, y: 2, width: ((e && e.p) || 0) * 100, height: 6 }),
    e && e.low !== undefined ? s("line", { class: "cmp-whisker", x1: e.low * 100, x2: e.high * 100, y1: 5, y2: 5 }) : null);
  const cell = (e) => h("td", { class: "num" }, e ? `${pctText(e.p)} (${pctText(e.low)}–${pctText(e.high)})` : "–", bar(e));
  return h("div", { class: "table-scroll" }, h("table", { class: "table compare-table", "data-testid": "compare-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Scenario"), h("th", { scope: "col", class: "num" }, labels[0]), h("th", { scope: "col", class: "num" }, labels[1]), h("th", { scope: "col", class: "num" }, "Change"))),
    h("tbody", {}, names.map((n) => {
      const a = sa[n];
      const b = sb[n];
      const d = a && b ? b.p - a.p : null;
      const overlap = a && b && a.low !== undefined && b.low !== undefined ? a.high >= b.low && b.high >= a.low : null;
      return h("tr", { dataset: { scenario: n } },
        h("th", { scope: "row" }, (b || a).label || n),
        cell(a), cell(b),
        h("td", { class: "num change" }, d === null ? "–" : `${d >= 0 ? "+" : "−"}${Math.abs(d * 100).toFixed(1)} points`,
          overlap === null ? null : h("span", { class: "small muted block" }, overlap ? "intervals overlap" : "intervals apart")));
    }))));
}

function changesTable(changes) {
  if (!changes.length) return h("p", { class: "empty" }, "The inputs are the same.");
  return h("div", { class: "table-scroll" }, h("table", { class: "table compact", "data-testid": "input-changes" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Where"), h("th", { scope: "col" }, "Before"), h("th", { scope: "col" }, "After"))),
    h("tbody", {}, changes.slice(0, 300).map((c) => h("tr", {}, h("th", { scope: "row" }, h("code", {}, c.path)), h("td", {}, show(c.before)), h("td", {}, show(c.after)))))));
}

function paramsText(r) {
  const p = r.parameters || {};
  return `${r.samples ?? p.samples} samples, seed ${r.seed}, ${conceptLabel(p.concept || "nash")}, rule ${p.rule || "split"}`;
}

async function compareRuns(root, a, b) {
  const [ra, rb, ca, cb] = await Promise.all([
    api.get(`/api/runs/${enc(a)}`), api.get(`/api/runs/${enc(b)}`),
    api.get(`/api/runs/${enc(a)}/case`), api.get(`/api/runs/${enc(b)}/case`),
  ]);
  if (!ra.result || !rb.result) throw new Error(`run ${ra.result ? b : a} has no result yet`);
  const changes = inputChanges(parseCase(ca.text, ca.format), parseCase(cb.text, cb.format));
  const paramChanges = inputChanges({ samples: ra.result.samples, seed: ra.seed, ...ra.parameters }, { samples: rb.result.samples, seed: rb.seed, ...rb.parameters });
  mount(root,
    pageHeader(`Run ${a} and run ${b}`),
    h("p", { class: "lead" }, `Run ${a}: ${paramsText(ra.result)}. Run ${b}: ${paramsText(rb.result)}.`),
    h("section", { class: "card", "aria-labelledby": "cmp-p" }, h("h2", { id: "cmp-p" }, "Scenario probabilities"),
      sideBySide(ra.result, rb.result, [`Run ${a}`, `Run ${b}`]),
      h("p", { class: "small muted" }, "Each cell: the probability and its 95 % interval; the bar shows the probability, the thin band the interval.")),
    h("section", { class: "card", "aria-labelledby": "cmp-in" }, h("h2", { id: "cmp-in" }, "What changed in the inputs"),
      ca.case_hash === cb.case_hash ? h("p", {}, "Both runs used the same case version.") : changesTable(changes),
      paramChanges.length ? h("div", {}, h("h3", {}, "Run parameters"), changesTable(paramChanges)) : null));
}

async function compareVersions(root, caseId, va, vb) {
  const [ia, ib] = await Promise.all([
    api.get(`/api/cases/${enc(caseId)}?version=${enc(va)}`), api.get(`/api/cases/${enc(caseId)}?version=${enc(vb)}`),
  ]);
  const [pa, pb] = await Promise.all([
    api.post("/api/whatif", { case: caseId, version: Number(va) }), api.post("/api/whatif", { case: caseId, version: Number(vb) }),
  ]);
  mount(root,
    pageHeader(`Versions ${va} and ${vb}`, h("a", { class: "btn btn-small", href: caseHref(caseId, "edit") }, "Editor")),
    h("p", { class: "lead" }, `${ia.title || caseId}. ${pa.method_note || ""}`),
    h("section", { class: "card", "aria-labelledby": "cmp-p" }, h("h2", { id: "cmp-p" }, "Scenario probabilities (preview)"),
      sideBySide(pa, pb, [`Version ${va}`, `Version ${vb}`])),
    h("section", { class: "card", "aria-labelledby": "cmp-in" }, h("h2", { id: "cmp-in" }, "What changed in the inputs"),
      changesTable(inputChanges(parseCase(ia.text, ia.format), parseCase(ib.text, ib.format)))));
}

export async function render(root, ctx) {
  const p = ctx.params || {};
  mount(root, pageHeader("Compare"), loadingBox("Loading…"));
  try {
    if (p.a && p.b) await compareRuns(root, p.a, p.b);
    else if (p.case && p.va && p.vb) await compareVersions(root, p.case, p.va, p.vb);
    else mount(root, pageHeader("Compare"), h("p", {}, "Choose two runs in the ", h("a", { href: "#/runs" }, "run list"), ", or two versions in a case's editor."));
  } catch (err) {
    mount(root, pageHeader("Compare"), errorBox(err, "Cannot compare"));
  }
  return undefined;
}
