// Runs: the history of scenario runs with their parameters and seeds;
// re-run, downloads (JSON, CSV; the case's GraphML and HTML report), and
// one run's result.
import { api, enc } from "../api.js";
import { h, mount, announce } from "../dom.js";
import { conceptLabel, pageHeader, errorBox, loadingBox, caseHref } from "../common.js";
import { renderResult } from "./scenarios.js";

const ENDED = new Set(["done", "failed", "cancelled"]);

function isCaseId(name) {
  return typeof name === "string" && /^(bundled|user):[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name);
}

function when(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

function statusPill(status) {
  return h("span", { class: `status-pill status-${status}` }, status);
}

function paramText(run) {
  const p = run.parameters || {};
  const parts = [];
  if (p.samples !== undefined) parts.push(`${p.samples} samples`);
  if (p.concept) parts.push(conceptLabel(p.concept));
  if (p.rule) parts.push(`rule ${p.rule}`);
  for (const [k, v] of Object.entries(p)) if (!["samples", "concept", "rule"].includes(k) && v !== null && typeof v !== "object") parts.push(`${k} ${v}`);
  return parts.join(", ");
}

async function rerun(run) {
  try {
    const res = await api.post(`/api/runs/${enc(run.id)}/rerun`, {});
    announce(`Run ${res.run} started (a re-run of run ${run.id}).`);
    window.location.hash = `#/run/${enc(res.run)}?job=${enc(res.job)}`;
  } catch (err) {
    announce(`Cannot re-run: ${err.message}`, "error");
  }
}

function downloads(run) {
  return h("span", { class: "export-links", role: "group", "aria-label": `Downloads of run ${run.id}` },
    h("a", { class: "btn btn-small btn-link", href: `/api/runs/${enc(run.id)}/download?format=json`, download: "", "aria-label": `Run ${run.id} as JSON` }, "JSON"),
    run.status === "done" ? h("a", { class: "btn btn-small btn-link", href: `/api/runs/${enc(run.id)}/download?format=csv`, download: "", "aria-label": `Run ${run.id} as CSV` }, "CSV") : null,
    isCaseId(run.case_name) ? h("a", { class: "btn btn-small btn-link", href: `/api/cases/${enc(run.case_name)}/graphml`, download: "", "aria-label": `GraphML of ${run.case_name}` }, "GraphML") : null,
    isCaseId(run.case_name) ? h("a", { class: "btn btn-small btn-link", href: `/api/cases/${enc(run.case_name)}/report`, target: "_blank", rel: "noopener", "aria-label": `HTML report of ${run.case_name}` }, "Report") : null);
}

async function renderList(root, ctx) {
  const body = h("div", {}, loadingBox("Loading the runs…"));
  mount(root,
    pageHeader(ctx.caseId ? "Runs of this case" : "Runs",
      ctx.caseId ? h("a", { class: "btn", href: caseHref(ctx.caseId, "scenarios") }, "New run") : null),
    h("p", { class: "lead" }, "Every scenario run is kept with its case version, parameters and seed, so that it can be run again and give the same result."),
    body);
  let runs;
  try {
    runs = await api.get("/api/runs?limit=200");
  } catch (err) {
    mount(body, errorBox(err, "Cannot list the runs"));
    return undefined;
  }
  if (ctx.caseId) runs = runs.filter((r) => r.case_name === ctx.caseId);
  if (!runs.length) {
    mount(body, h("p", { class: "empty" }, ctx.caseId ? "No run of this case yet. Start one in the Scenarios view." : "No runs yet. Open a case and start one in its Scenarios view."));
    return undefined;
  }
  mount(body, h("section", { class: "card" }, h("div", { class: "table-scroll" }, h("table", { class: "table runs-table" },
    h("thead", {}, h("tr", {}, ["Run", "Case", "Parameters", "Seed", "Status", "Started", "Time", ""].map((c) => h("th", { scope: "col", class: c === "Seed" || c === "Time" ? "num" : "" }, c || h("span", { class: "visually-hidden" }, "Actions"))))),
    h("tbody", {}, runs.map((r) => h("tr", { dataset: { run: String(r.id) } },
      h("th", { scope: "row" }, h("a", { href: `#/run/${enc(r.id)}` }, `Run ${r.id}`)),
      h("td", {}, isCaseId(r.case_name) ? h("a", { href: caseHref(r.case_name, "analysis") }, r.case_name) : (r.case_name || h("span", { class: "muted" }, "text"))),
      h("td", {}, paramText(r)),
      h("td", { class: "num" }, String(r.seed ?? "–")),
      h("td", {}, statusPill(r.status), r.error ? h("span", { class: "small muted" }, ` ${r.error}`) : null),
      h("td", {}, when(r.started || r.created)),
      h("td", { class: "num" }, r.seconds !== null && r.seconds !== undefined ? `${r.seconds.toFixed(1)} s` : "–"),
      h("td", {}, h("div", { class: "actions" },
        r.command === "scenarios" ? h("button", { type: "button", class: "btn btn-small", "aria-label": `Re-run run ${r.id}`, onClick: () => rerun(r) }, "Re-run") : null,
        downloads(r))))))))));
  return undefined;
}

async function renderRun(root, ctx) {
  const runId = ctx.runId;
  const head = h("div", {});
  const body = h("div", {}, loadingBox("Loading the run…"));
  mount(root, head, body);
  let timer = null;
  let stopped = false;
  const load = async () => {
    let run;
    try {
      run = await api.get(`/api/runs/${enc(runId)}`);
    } catch (err) {
      mount(head, pageHeader(`Run ${runId}`));
      mount(body, errorBox(err, "Cannot load the run"));
      return;
    }
    if (stopped || !ctx.isCurrent()) return;
    const caseId = isCaseId(run.case_name) ? run.case_name : null;
    mount(head,
      pageHeader(`Run ${run.id}`, h("span", { class: "toolbar" },
        run.command === "scenarios" ? h("button", { type: "button", class: "btn", onClick: () => rerun(run) }, "Re-run") : null,
        downloads(run))),
      h("section", { class: "card" }, h("dl", { class: "kv" },
        h("dt", {}, "Case"), h("dd", {}, caseId ? h("a", { href: caseHref(caseId, "scenarios") }, caseId) : (run.case_name || "text")),
        h("dt", {}, "Kind"), h("dd", {}, run.command || "–"),
        h("dt", {}, "Parameters"), h("dd", {}, paramText(run) || "–"),
        h("dt", {}, "Seed"), h("dd", {}, String(run.seed ?? "–")),
        h("dt", {}, "Status"), h("dd", {}, statusPill(run.status), run.error ? ` ${run.error}` : ""),
        h("dt", {}, "Started"), h("dd", {}, when(run.started || run.created)),
        h("dt", {}, "Finished"), h("dd", {}, when(run.finished)),
        h("dt", {}, "Case version"), h("dd", {}, h("code", { class: "small" }, (run.case_hash || "").slice(0, 16) || "–")),
        h("dt", {}, "Backchannel"), h("dd", {}, run.version || "–"))));
    if (run.result) {
      mount(body, renderResult(run.result, { caseId }));
    } else if (!ENDED.has(run.status)) {
      mount(body, loadingBox(`The run is ${run.status}${run.batches_done !== undefined && run.batches_done !== null ? ` (${run.batches_done} batches done)` : ""}…`));
      timer = setTimeout(load, 700);
    } else {
      mount(body, h("p", { class: "empty" }, "This run has no result."));
    }
  };
  await load();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export async function render(root, ctx) {
  if (ctx.view === "run") return renderRun(root, ctx);
  return renderList(root, ctx);
}
