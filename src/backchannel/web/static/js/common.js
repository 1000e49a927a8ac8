// Shared by the views: routes, case information, error display.
import { api, enc, ApiError } from "./api.js";
import { h } from "./dom.js";

const caseInfo = new Map();

export function parseHash(hash = window.location.hash) {
  const raw = hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = Object.fromEntries(new URLSearchParams(query));
  if (parts[0] === "case" && parts[1]) {
    return { view: parts[2] || "analysis", caseId: parts[1], params };
  }
  if (parts[0] === "run" && parts[1]) return { view: "run", runId: parts[1], params };
  if (parts[0] === "runs") return { view: "runs", params };
  if (parts[0] === "draft") return { view: "draft", params };
  if (parts[0] === "compare") return { view: "compare", params };
  return { view: "cases", params };
}

export function caseHref(caseId, view = "analysis", params) {
  const q = params ? `?${new URLSearchParams(params)}` : "";
  return `#/case/${enc(caseId)}/${view}${q}`;
}

/** Change the query part of the current route without re-rendering. */
export function setParams(params) {
  const route = parseHash();
  const merged = { ...route.params, ...params };
  for (const [k, v] of Object.entries(merged)) if (v === null || v === undefined || v === "") delete merged[k];
  const base = window.location.hash.split("?")[0] || "#/cases";
  const q = new URLSearchParams(merged).toString();
  history.replaceState(null, "", q ? `${base}?${q}` : base);
}

export async function getCaseInfo(caseId, force = false) {
  if (!force && caseInfo.has(caseId)) return caseInfo.get(caseId);
  const promise = api.get(`/api/cases/${enc(caseId)}`);
  caseInfo.set(caseId, promise);
  try {
    return await promise;
  } catch (err) {
    caseInfo.delete(caseId);
    throw err;
  }
}

export function forgetCaseInfo(caseId) {
  caseInfo.delete(caseId);
}

export function errorBox(err, what) {
  const e = err instanceof ApiError ? err : { message: String(err && err.message ? err.message : err) };
  return h("div", { class: "error-box", role: "alert" },
    h("p", { class: "error-title" }, what ? `${what}: ${e.message}` : e.message),
    e.line ? h("p", {}, `Line ${e.line}${e.loc && e.loc.length ? ` (${e.loc.join(".")})` : ""}`) : null,
    e.hint ? h("p", { class: "hint" }, e.hint) : null);
}


export const CONCEPT_LABELS = {
  nash: "Nash",
  gmr: "GMR",
  smr: "SMR",
  seq: "SEQ",
  sim: "SIM",
};

export const CONCEPT_TITLES = {
  nash: "Nash stability (R): no unilateral improvement",
  gmr: "General metarationality: every improvement can be sanctioned",
  smr: "Symmetric metarationality: sanctions that survive a counter-move",
  seq: "Sequential stability: sanctions by the others' own improvements",
  sim: "Simultaneous sanctioning: the opponents' simultaneous improvements, one or several together, spoil the move",
};

export function conceptLabel(c) {
  return CONCEPT_LABELS[c] || String(c).toUpperCase();
}

/** Okabe–Ito colours for decision makers (CSS classes dm-0 … dm-6) and their dash patterns. */
export const DM_CLASSES = 7;
export function dmClass(index) {
  return `dm-${index % DM_CLASSES}`;
}

/** A small legend swatch: a line in the decision maker's colour and dash pattern. */
export function dmSwatch(index) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "swatch");
  svg.setAttribute("viewBox", "0 0 28 10");
  svg.setAttribute("width", "28");
  svg.setAttribute("height", "10");
  svg.setAttribute("aria-hidden", "true");
  const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
  line.setAttribute("x1", "1");
  line.setAttribute("y1", "5");
  line.setAttribute("x2", "27");
  line.setAttribute("y2", "5");
  line.setAttribute("class", `edge-line ${dmClass(index)}`);
  svg.append(line);
  return svg;
}

export function caseRef(ctx) {
  return { case: ctx.caseId };
}

/** Cache key part for a case at its current version. */
export function caseKey(ctx) {
  return `|${ctx.caseId}|v${ctx.info && ctx.info.version !== undefined ? ctx.info.version : "?"}`;
}

export function download(url) {
  const a = h("a", { href: url, download: "" });
  document.body.append(a);
  a.click();
  a.remove();
}

export function pageHeader(title, ...extra) {
  return h("div", { class: "page-header" }, h("h1", {}, title), ...extra);
}

export function loadingBox(text = "Computing…") {
  return h("p", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), ` ${text}`);
}

export { api, enc, ApiError };
