// Backchannel workbench: hash routing between the views.
//   #/cases                      case library
//   #/case/<id>/<view>[?k=v]     edit | analysis | hypergame | forecast | scenarios | runs
//   #/runs                       all runs;  #/run/<run id>  one run
import { getSession, ApiError } from "./api.js";
import { h, mount, announce, dialog } from "./dom.js";
import { parseHash, caseHref, getCaseInfo, errorBox } from "./common.js";
import { hasUnsavedChanges, clearLeaveGuard } from "./guard.js";
import { parseYaml } from "./yaml.js";

import * as library from "./views/library.js";
import * as editor from "./views/editor.js";
import * as analysis from "./views/analysis.js";
import * as hypergame from "./views/hypergame.js";
import * as forecast from "./views/forecast.js";
import * as scenarios from "./views/scenarios.js";
import * as runs from "./views/runs.js";
import * as draft from "./views/draft.js";
import * as whatif from "./views/whatif.js";
import * as compare from "./views/compare.js";

// Every view is loaded with the page (no lazy imports: a module fetched after
// the session ended would fail with 401 instead of leading to the login page).
const VIEWS = {
  cases: library,
  edit: editor,
  analysis,
  hypergame,
  forecast,
  scenarios,
  runs,
  run: runs,
  draft,
  whatif,
  compare,
};

const VIEW_TITLES = {
  cases: "Cases",
  edit: "Editor",
  analysis: "Analysis",
  hypergame: "What each party sees",
  forecast: "Forecast",
  scenarios: "Scenarios",
  runs: "Runs",
  run: "Run",
  draft: "Draft from reports",
  whatif: "What if",
  compare: "Compare",
};

let cleanup = null;
let renderToken = 0;

function updateNav(route, info) {
  for (const a of document.querySelectorAll("#nav-global a")) {
    const active = (a.dataset.nav === "cases" && (route.view === "cases" || route.caseId))
      || (a.dataset.nav === "runs" && ["runs", "run", "compare"].includes(route.view) && !route.caseId)
      || (a.dataset.nav === "draft" && route.view === "draft");
    if (active) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const casenav = document.getElementById("casenav");
  if (!route.caseId) {
    casenav.hidden = true;
    return;
  }
  casenav.hidden = false;
  const title = document.getElementById("casenav-title");
  title.textContent = info ? (info.title || info.name || route.caseId) : route.caseId;
  title.title = route.caseId;
  for (const a of casenav.querySelectorAll("a[data-view]")) {
    a.href = caseHref(route.caseId, a.dataset.view);
    if (a.dataset.view === route.view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

function isBargainingOnly(info) {
  if (typeof info.text !== "string") return false;
  try {
    const obj = info.format === "json" || info.format === "gmcr" ? JSON.parse(info.text) : info.format === "yaml" ? parseYaml(info.text) : null;
    if (!obj || typeof obj !== "object") return false;
    const dms = obj.decision_makers || [];
    return dms.length === 0 && (Boolean(obj.issues) || Boolean(obj.actors));
  } catch (err) {
    return false;
  }
}

// The guard against leaving unsaved edits: the hash has already changed when
// hashchange fires, so the previous one is put back until the user decides.
let lastHash = window.location.hash;
let asking = false;

async function onHashChange() {
  const target = window.location.hash;
  if (target === lastHash) return;
  if (hasUnsavedChanges()) {
    history.replaceState(null, "", lastHash);
    if (asking) return;
    asking = true;
    try {
      const ok = await dialog({
        title: "Leave without saving?",
        body: "The case has unsaved changes. They are lost if you leave this page now.",
        submitLabel: "Leave without saving",
        danger: true,
      });
      if (!ok) return;
    } finally {
      asking = false;
    }
    clearLeaveGuard();
    history.pushState(null, "", target);
  }
  lastHash = window.location.hash;
  render();
}

async function render() {
  const token = ++renderToken;
  const route = parseHash();
  if (cleanup) {
    try {
      cleanup();
    } catch (err) {
      // a view's cleanup must not stop navigation
    }
    cleanup = null;
  }
  const main = document.getElementById("main");
  main.setAttribute("aria-busy", "true");
  updateNav(route, null);
  let info = null;
  if (route.caseId) {
    try {
      info = await getCaseInfo(route.caseId);
    } catch (err) {
      if (token !== renderToken) return;
      mount(main, h("h1", {}, "Case not found"), errorBox(err), h("p", {}, h("a", { href: "#/cases" }, "Back to the case library")));
      main.removeAttribute("aria-busy");
      return;
    }
  }
  if (token !== renderToken) return;
  if (route.view === "analysis" && info && isBargainingOnly(info)) {
    // A case with issues and actors only has no state graph: its first view is the forecast.
    history.replaceState(null, "", caseHref(route.caseId, "forecast"));
    lastHash = window.location.hash;
    route.view = "forecast";
  }
  updateNav(route, info);
  const title = VIEW_TITLES[route.view] || "Backchannel";
  document.title = info ? `${title} · ${info.title || info.name} · Backchannel` : `${title} · Backchannel`;
  const mod = VIEWS[route.view] || VIEWS.cases;
  try {
    mount(main);
    const ctx = { ...route, info, isCurrent: () => token === renderToken };
    const result = await mod.render(main, ctx);
    if (token !== renderToken) {
      if (typeof result === "function") result();
      return;
    }
    cleanup = typeof result === "function" ? result : null;
  } catch (err) {
    if (token !== renderToken) return;
    if (!(err instanceof ApiError)) {
      // Perhaps the session ended: getSession sends the user to the login page on 401.
      await getSession(true).catch(() => null);
    }
    mount(main, h("h1", {}, title), errorBox(err));
  } finally {
    if (token === renderToken) main.removeAttribute("aria-busy");
  }
  // Move focus to the new view's heading for screen-reader and keyboard users,
  // unless the user is already working inside the main region.
  if (token === renderToken && !main.contains(document.activeElement)) {
    const heading = main.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  }
}

async function start() {
  try {
    const session = await getSession();
    const info = document.getElementById("session-info");
    if (info && session) info.textContent = session.version ? `v${session.version}` : "";
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    announce(`Cannot reach the server: ${err.message}`, "error");
  }
  window.addEventListener("hashchange", onHashChange);
  if (!window.location.hash) history.replaceState(null, "", "#/cases");
  lastHash = window.location.hash;
  render();
}

start();
