// Case library: bundled and user cases; create, duplicate, import, export, delete.
import { api, enc, caseHref, pageHeader, errorBox, loadingBox, forgetCaseInfo } from "../common.js";
import { h, mount, dialog, announce, uid } from "../dom.js";
import { forgetCase } from "../api.js";

const TEMPLATES = {
  two_party: {
    label: "Two parties, one option each (graph model)",
    text: `title: New conflict
description: >
  What the conflict is about, who takes part, and where the information
  comes from.
decision_makers:
  - name: party_a
    label: Party A
    options:
      - {name: concede, label: Make a concession}
    preferences:
      prioritization:
        - statement: not escalate
          provenance: "analyst estimate: placeholder, replace with a source"
        - not concede
  - name: party_b
    label: Party B
    options:
      - {name: escalate, label: Escalate}
    preferences:
      prioritization:
        - concede
        - not escalate
status_quo: NN
scenarios:
  settlement: concede and not escalate
  escalation: escalate
`,
  },
  three_party: {
    label: "Three parties with a feasibility rule",
    text: `title: New three-party conflict
decision_makers:
  - name: government
    label: Government
    options:
      - {name: reform, label: Enact the reform}
      - {name: crackdown, label: Crack down on protests}
    preferences:
      prioritization:
        - not strike
        - not reform
        - not crackdown
  - name: union
    label: Union
    options:
      - {name: strike, label: Call a general strike}
    preferences:
      prioritization:
        - reform
        - not crackdown
        - not strike
  - name: mediator
    label: Mediator
    options:
      - {name: mediate, label: Offer mediation}
    preferences:
      prioritization:
        - not crackdown
        - mediate
infeasible:
  - expr: reform and crackdown
    note: The government does not reform and crack down at once.
status_quo: NNNN
scenarios:
  settlement: reform and not strike
  confrontation: crackdown and strike
`,
  },
  bargaining: {
    label: "Bargaining only (issues and actors)",
    text: `title: New bargaining problem
issues:
  budget:
    label: Size of the budget
    low: "0 = no budget"
    high: "100 = the largest proposal"
    reference: 40
actors:
  - name: north
    capability: 1.0
    positions: {budget: 80}
    salience: {budget: 0.7}
  - name: south
    capability: 0.6
    positions: {budget: 20}
    salience: {budget: 0.9}
  - name: centre
    capability: 0.4
    positions: {budget: 50}
    salience: {budget: 0.5}
`,
  },
};

function slugify(text) {
  const base = String(text || "case").toLowerCase().replace(/\.[a-z]+$/, "").replace(/[^a-z0-9_.-]+/g, "-").replace(/^[-_.]+|[-.]+$/g, "");
  return (base || "case").slice(0, 60);
}

function sourceBadge(source) {
  return h("span", { class: `badge badge-${source}` }, source === "bundled" ? "bundled" : "yours");
}

async function createCase(refresh) {
  const nameId = uid("new-name");
  const tmplId = uid("new-tmpl");
  const select = h("select", { id: tmplId },
    Object.entries(TEMPLATES).map(([key, t]) => h("option", { value: key }, t.label)));
  const nameInput = h("input", { id: nameId, type: "text", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]{0,79}", value: "my-conflict", autocomplete: "off" });
  const form = h("form", { method: "dialog", class: "dialog-form" },
    h("h2", { class: "dialog-title" }, "New case"),
    h("div", { class: "field" }, h("label", { for: nameId }, "Name"), nameInput,
      h("p", { class: "help" }, "Letters, digits, '_', '.' or '-'. The name identifies the case; the title inside it can be anything.")),
    h("div", { class: "field" }, h("label", { for: tmplId }, "Start from"), select),
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "btn", onClick: () => dlg.close("cancel") }, "Cancel"),
      h("button", { type: "submit", class: "btn btn-primary" }, "Create and edit")));
  const dlg = h("dialog", { class: "dialog", "aria-label": "New case" }, form);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    try {
      const res = await api.post("/api/cases", { name: nameInput.value, text: TEMPLATES[select.value].text, format: "yaml" });
      dlg.close("ok");
      announce(`Created ${res.id}.`);
      window.location.hash = caseHref(res.id, "edit");
    } catch (err) {
      form.querySelector(".error-box")?.remove();
      form.insertBefore(errorBox(err), form.lastChild);
    }
  });
  dlg.addEventListener("close", () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  nameInput.select();
  void refresh;
}

async function importCase(refresh) {
  const fileId = uid("imp-file");
  const nameId = uid("imp-name");
  const fileInput = h("input", { id: fileId, type: "file", required: true, accept: ".yaml,.yml,.json,.gmcr,.csv" });
  const nameInput = h("input", { id: nameId, type: "text", required: true, pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]{0,79}", autocomplete: "off" });
  fileInput.addEventListener("change", () => {
    if (fileInput.files[0] && !nameInput.value) nameInput.value = slugify(fileInput.files[0].name);
  });
  const form = h("form", { method: "dialog", class: "dialog-form", enctype: "multipart/form-data" },
    h("h2", { class: "dialog-title" }, "Import a case"),
    h("div", { class: "field" }, h("label", { for: fileId }, "File"), fileInput,
      h("p", { class: "help" }, "YAML or JSON case files, GMCR+ save files (.gmcr), KTAB spatial-model files (.csv).")),
    h("div", { class: "field" }, h("label", { for: nameId }, "Name"), nameInput),
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "btn", onClick: () => dlg.close("cancel") }, "Cancel"),
      h("button", { type: "submit", class: "btn btn-primary" }, "Import")));
  const dlg = h("dialog", { class: "dialog", "aria-label": "Import a case" }, form);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (!form.reportValidity()) return;
    const data = new FormData();
    data.append("file", fileInput.files[0]);
    data.append("name", nameInput.value);
    try {
      const res = await api.upload("/api/import", data);
      dlg.close("ok");
      announce(`Imported ${res.id}.`);
      await refresh();
    } catch (err) {
      form.querySelector(".error-box")?.remove();
      form.insertBefore(errorBox(err, "Import failed"), form.lastChild);
    }
  });
  dlg.addEventListener("close", () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  fileInput.focus();
}

async function duplicateCase(c, refresh) {
  const values = await dialog({
    title: `Duplicate “${c.title || c.name}”`,
    fields: [{ name: "name", label: "Name of the copy", value: `${c.name}-copy`, required: true, pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]{0,79}" }],
    submitLabel: "Duplicate",
  });
  if (!values) return;
  try {
    const res = await api.post(`/api/cases/${enc(c.id)}/duplicate`, { name: values.name });
    announce(`Duplicated as ${res.id}.`);
    await refresh();
  } catch (err) {
    announce(`Could not duplicate: ${err.message}`, "error");
  }
}

async function deleteCase(c, refresh) {
  const values = await dialog({
    title: `Delete “${c.title || c.name}”?`,
    body: `The case ${c.id} and all its versions are deleted. Runs made with it stay in the run history.`,
    submitLabel: "Delete",
    danger: true,
  });
  if (!values) return;
  try {
    await api.del(`/api/cases/${enc(c.id)}`);
    forgetCase(c.id);
    forgetCaseInfo(c.id);
    announce(`Deleted ${c.id}.`);
    await refresh();
  } catch (err) {
    announce(`Could not delete: ${err.message}`, "error");
  }
}

const FLAGSHIP = "bundled:ukraine-backchannel";
const KIND_LABELS = { graph: "graph model", bargaining: "bargaining", both: "graph model and bargaining" };

/** The flagship first, then the user's cases (most recently saved first), then the other bundled ones. */
export function orderCases(cases) {
  const rank = (c) => (c.id === FLAGSHIP ? 0 : c.source === "user" ? 1 : 2);
  return [...cases].sort((a, b) => rank(a) - rank(b)
    || (rank(a) === 1 ? String(b.modified || "").localeCompare(String(a.modified || "")) : 0)
    || String(a.title || a.name).localeCompare(String(b.title || b.name)));
}

function matches(c, query, source, kind) {
  if (source !== "all" && c.source !== source) return false;
  if (kind !== "all" && c.kind !== kind && !(c.kind === "both")) return false;
  if (!query) return true;
  const hay = `${c.title || ""} ${c.name} ${c.id}`.toLowerCase();
  return query.toLowerCase().split(/\s+/).filter(Boolean).every((w) => hay.includes(w));
}

function caseRow(c, refresh) {
  const title = c.title || c.name;
  return h("tr", { dataset: { caseId: c.id } },
    h("th", { scope: "row" }, h("a", { href: caseHref(c.id, c.kind === "bargaining" ? "forecast" : "analysis"), class: "case-link" }, title),
      c.id === FLAGSHIP ? h("span", { class: "badge badge-flagship" }, " flagship") : null),
    h("td", {}, h("code", {}, c.name)),
    h("td", {}, sourceBadge(c.source)),
    h("td", {}, KIND_LABELS[c.kind] || "–"),
    h("td", { class: "num" }, c.version ?? "–"),
    h("td", { class: "num" }, c.states ?? "–"),
    h("td", {}, h("div", { class: "actions" },
      h("a", { class: "btn btn-small", href: caseHref(c.id, "edit"), "aria-label": `Edit ${title}` }, "Edit"),
      h("button", { type: "button", class: "btn btn-small", "aria-label": `Duplicate ${title}`, onClick: () => duplicateCase(c, refresh) }, "Duplicate"),
      h("span", { class: "export-links", role: "group", "aria-label": `Export ${title}` },
        "Export ",
        ["yaml", "json", "gmcr"].map((f) => h("a", {
          class: "btn btn-small btn-link", href: `/api/cases/${enc(c.id)}/export?format=${f}`, download: "",
          "aria-label": `Export ${title} as ${f.toUpperCase()}`,
        }, f.toUpperCase()))),
      c.source === "user"
        ? h("button", { type: "button", class: "btn btn-small btn-danger", "aria-label": `Delete ${title}`, onClick: () => deleteCase(c, refresh) }, "Delete")
        : null)));
}

export async function render(root) {
  const body = h("div", { class: "library" }, loadingBox("Loading the cases…"));
  const ids = { q: uid("lib-q"), source: uid("lib-src"), kind: uid("lib-kind") };
  const search = h("input", { id: ids.q, type: "search", placeholder: "title or name", autocomplete: "off", "aria-controls": "library-list" });
  const source = h("select", { id: ids.source }, [["all", "all"], ["user", "yours"], ["bundled", "bundled"]].map(([v, t]) => h("option", { value: v }, t)));
  const kind = h("select", { id: ids.kind }, [["all", "all"], ["graph", "graph model"], ["bargaining", "bargaining"]].map(([v, t]) => h("option", { value: v }, t)));
  const countEl = h("span", { class: "small muted", role: "status", "aria-live": "polite" });
  let cases = [];
  const draw = () => {
    const shown = orderCases(cases).filter((c) => matches(c, search.value.trim(), source.value, kind.value));
    countEl.textContent = `${shown.length} of ${cases.length} cases`;
    const capId = uid("cap");
    mount(body, h("section", { class: "card", "aria-labelledby": capId, id: "library-list" },
      h("h2", { id: capId }, "Cases", " ", h("span", { class: "count" }, `(${shown.length})`)),
      shown.length === 0
        ? h("p", { class: "empty" }, cases.length ? "No case matches. Clear the search or the filters." : "None yet. Create a case from a template, import a file, or duplicate a bundled case.")
        : h("div", { class: "table-scroll" }, h("table", { class: "table cases-table" },
          h("thead", {}, h("tr", {},
            h("th", { scope: "col" }, "Title"), h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Source"), h("th", { scope: "col" }, "Kind"),
            h("th", { scope: "col", class: "num" }, "Version"), h("th", { scope: "col", class: "num" }, "States"),
            h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")))),
          h("tbody", {}, shown.map((c) => caseRow(c, refresh)))))));
  };
  const refresh = async () => {
    try {
      cases = await api.get("/api/cases");
    } catch (err) {
      mount(body, errorBox(err, "Cannot list the cases"));
      return;
    }
    draw();
  };
  for (const el of [search, source, kind]) el.addEventListener("input", draw);
  mount(root,
    pageHeader("Cases",
      h("div", { class: "toolbar" },
        h("button", { type: "button", class: "btn btn-primary", onClick: () => createCase(refresh) }, "New case"),
        h("button", { type: "button", class: "btn", onClick: () => importCase(refresh) }, "Import a file"))),
    h("p", { class: "lead" }, "A case says who decides what and who wants what. Open one to see which outcomes are stable, for whom, and why."),
    h("div", { class: "library-filters", role: "search" },
      h("div", { class: "field" }, h("label", { for: ids.q }, "Search"), search),
      h("div", { class: "field" }, h("label", { for: ids.source }, "Source"), source),
      h("div", { class: "field" }, h("label", { for: ids.kind }, "Kind"), kind),
      countEl),
    body);
  await refresh();
}
