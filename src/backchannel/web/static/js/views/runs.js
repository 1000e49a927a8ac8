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
    isCaseId(run.case_name) ? h("a", { class: "btn btn-small btn-link", href: reportHref(run), target: "_blank", rel: "noopener", "aria-label": run.status === "done" ? `HTML report of ${run.case_name} with the results of run ${run.id}` : `HTML report of ${run.case_name}` }, "Report") : null);
}

/** The case's report; with a finished run, including that run's results. */
export function reportHref(run) {
  const base = `/api/cases/${enc(run.case_name)}/report`;
  return run.status === "done" ? `${base}?run=${enc(run.id)}` : base;
}

/** Statuses from which a run continues where it stopped (POST /api/runs/{id}/resume). */
const RESUMABLE = new Set(["cancelled", "interrupted", "failed", "created"]);

export async function resumeRun(run) {
  try {
    const res = await api.post(`/api/runs/${enc(run.id)}/resume`, {});
    announce(`Run ${run.id} resumes: its ${run.batches_done ?? 0} finished batches are kept.`);
    window.location.hash = `#/run/${enc(res.run)}?job=${enc(res.job)}`;
  } catch (err) {
    announce(`Cannot resume: ${err.message}`, "error");
  }
}

function resumeButton(run, small = true) {
  if (run.command !== "scenarios" || !RESUMABLE.has(run.status)) return null;
  return h("button", { type: "button", class: small ? "btn btn-small" : "btn btn-primary", "aria-label": `Resume run ${run.id}`, onClick: () => resumeRun(run) }, "Resume");
}

/** Titles of the cases by id (for the run list), from the case library. */
async function caseTitles() {
  try {
    const cases = await api.get("/api/cases");
    return Object.fromEntries(cases.map((c) => [c.id, c.title || c.name]));
  } catch (err) {
    return {};
  }
}

function progressText(run) {
  if (run.n_batches && run.status !== "done") return ` ${run.batches_done ?? 0} of ${run.n_batches} batches`;
  return "";
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
  const titles = await caseTitles();
  const picked = new Set();
  const compareBtn = h("button", { type: "button", class: "btn", disabled: true, onClick: () => {
    const [a, b] = [...picked];
    window.location.hash = `#/compare?a=${enc(a)}&b=${enc(b)}`;
  } }, "Compare the two selected runs");
  const pick = (r, box) => {
    if (box.checked) picked.add(String(r.id));
    else picked.delete(String(r.id));
    compareBtn.disabled = picked.size !== 2;
    compareBtn.textContent = picked.size === 2 ? `Compare runs ${[...picked].join(" and ")}` : "Compare the two selected runs";
  };
  const caseCell = (r) => {
    if (!isCaseId(r.case_name)) return r.case_name || h("span", { class: "muted" }, "text");
    const title = titles[r.case_name] || r.case_name;
    return h("a", { href: caseHref(r.case_name, "analysis"), title: r.case_name }, title);
  };
  const p = (r) => r.parameters || {};
  mount(body,
    h("p", { class: "toolbar" }, compareBtn, h("span", { class: "small muted" }, " Tick two finished runs to see their probabilities side by side.")),
    h("section", { class: "card" }, h("div", { class: "table-scroll" }, h("table", { class: "table runs-table" },
      h("thead", {}, h("tr", {}, ["Compare", "Run", "Case", "Samples", "Seed", "Concept", "Status", "Started", "Time", ""].map((c) => h("th", { scope: "col", class: ["Samples", "Seed", "Time"].includes(c) ? "num" : "" }, c === "Compare" ? h("span", { class: "visually-hidden" }, c) : c || h("span", { class: "visually-hidden" }, "Actions"))))),
      h("tbody", {}, runs.map((r) => {
        const box = h("input", { type: "checkbox", "aria-label": `Select run ${r.id} to compare`, disabled: r.status !== "done" });
        box.addEventListener("change", () => pick(r, box));
        return h("tr", { dataset: { run: String(r.id) } },
          h("td", {}, box),
          h("th", { scope: "row" }, h("a", { href: `#/run/${enc(r.id)}` }, `Run ${r.id}`)),
          h("td", { class: "case-cell" }, caseCell(r)),
          h("td", { class: "num" }, p(r).samples !== undefined ? Number(p(r).samples).toLocaleString() : "–"),
          h("td", { class: "num" }, String(r.seed ?? "–")),
          h("td", {}, p(r).concept ? conceptLabel(p(r).concept) : "–"),
          h("td", {}, statusPill(r.status), h("span", { class: "small muted" }, progressText(r)), r.error ? h("span", { class: "small muted" }, ` ${r.error}`) : null),
          h("td", {}, when(r.started || r.created)),
          h("td", { class: "num" }, r.seconds !== null && r.seconds !== undefined ? `${r.seconds.toFixed(1)} s` : "–"),
          h("td", {}, h("div", { class: "actions" },
            resumeButton(r),
            r.command === "scenarios" ? h("button", { type: "button", class: "btn btn-small", "aria-label": `Re-run run ${r.id}`, onClick: () => rerun(r) }, "Re-run") : null,
            downloads(r))));
      }))))));
  return undefined;
}

async function renderRun(root, ctx) {
  const runId = ctx.runId;
  const head = h("div", {});
  const body = h("div", {}, loadingBox("Loading the run…"));
  mount(root, head, body);
  let timer = null;
  let stopped = false;
  let titles = null;
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
    if (caseId && !titles) titles = await caseTitles();
    mount(head,
      pageHeader(`Run ${run.id}`, h("span", { class: "toolbar" },
        resumeButton(run, false),
        run.command === "scenarios" ? h("button", { type: "button", class: "btn", onClick: () => rerun(run) }, "Re-run") : null,
        downloads(run))),
      h("section", { class: "card" }, h("dl", { class: "kv" },
        h("dt", {}, "Case"), h("dd", {}, caseId ? h("a", { href: caseHref(caseId, "scenarios"), title: caseId }, titles[caseId] || caseId) : (run.case_name || "text")),
        h("dt", {}, "Kind"), h("dd", {}, run.command || "–"),
        h("dt", {}, "Parameters"), h("dd", {}, paramText(run) || "–"),
        h("dt", {}, "Seed"), h("dd", {}, String(run.seed ?? "–")),
        h("dt", {}, "Status"), h("dd", {}, statusPill(run.status), progressText(run), run.error ? ` ${run.error}` : "",
          RESUMABLE.has(run.status) && run.command === "scenarios" ? h("span", { class: "small muted" }, " Resume computes only the missing batches: the result is the same as an uninterrupted run's.") : null),
        h("dt", {}, "Started"), h("dd", {}, when(run.started || run.created)),
        h("dt", {}, "Finished"), h("dd", {}, when(run.finished)),
        h("dt", {}, "Case version"), h("dd", {}, h("code", { class: "small" }, (run.case_hash || "").slice(0, 16) || "–")),
        h("dt", {}, "Backchannel"), h("dd", {}, run.version || "–"))));
    let jobActive = false;
    if (ctx.params && ctx.params.job && !run.result) {
      // a job just (re)started this run: its status in the store may not say so yet
      try {
        const job = await api.get(`/api/jobs/${enc(ctx.params.job)}`);
        jobActive = job.status === "queued" || job.status === "running";
      } catch (err) {
        jobActive = false;
      }
      if (stopped || !ctx.isCurrent()) return;
    }
    if (run.result) {
      mount(body, renderResult(run.result, { caseId }));
    } else if (!ENDED.has(run.status) || jobActive) {
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
