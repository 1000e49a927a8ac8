// Analysis: equilibria per concept, the state graph with a details panel,
// and the state table (filter, sort) with stability per decision maker.
import { api, enc, cached, ApiError } from "../api.js";
import { h, mount, uid, announce, debounce } from "../dom.js";
import {
  CONCEPT_LABELS, CONCEPT_TITLES, conceptLabel, caseKey, caseRef, pageHeader, errorBox, loadingBox, setParams, caseHref,
} from "../common.js";
import { createGraph } from "./graph.js";
import { caseObject, dmLabels } from "./shared.js";
import { summaryBox, statementList, guidanceNotes } from "./why.js";

const LETTERS = { nash: "R", gmr: "G", smr: "M", seq: "S", sim: "I" };
const MAX_ROWS = 400;
const MAX_CHIPS = 12;

function conceptPicker(concepts, current, onChange) {
  const name = uid("concept");
  const group = h("fieldset", { class: "segmented" },
    h("legend", {}, "Solution concept"),
    concepts.map((c) => {
      const id = uid("c");
      const input = h("input", { type: "radio", name, id, value: c, checked: c === current });
      input.addEventListener("change", () => input.checked && onChange(c));
      return h("span", { class: "segment" }, input, h("label", { for: id, title: CONCEPT_TITLES[c] || "" }, conceptLabel(c)));
    }));
  return group;
}

function stateChip(n, onPick, extra = "") {
  return h("button", { type: "button", class: `chip${extra ? ` ${extra}` : ""}`, "aria-label": `State ${n}`, onClick: () => onPick(n) }, String(n));
}

function equilibriaCard(result, concept, onPick) {
  const rows = result.concepts.map((c) => {
    const list = result.equilibria[c] || [];
    const more = list.length > MAX_CHIPS;
    const chips = h("span", { class: "chips" }, list.slice(0, MAX_CHIPS).map((n) => stateChip(n, onPick, n === result.status_quo ? "chip-sq" : "")));
    const moreBtn = more ? h("button", {
      type: "button", class: "btn btn-link btn-small", "aria-expanded": "false",
      onClick: (ev) => {
        chips.append(...list.slice(MAX_CHIPS).map((n) => stateChip(n, onPick, n === result.status_quo ? "chip-sq" : "")));
        ev.currentTarget.remove();
      },
    }, `show all ${list.length}`) : null;
    return h("tr", { class: c === concept ? "current" : "" },
      h("th", { scope: "row", title: CONCEPT_TITLES[c] || "" }, conceptLabel(c)),
      h("td", { class: "num" }, String(list.length)),
      h("td", {}, list.length ? [chips, moreBtn] : h("span", { class: "muted" }, "none")));
  });
  return h("section", { class: "card equilibria-card", "aria-labelledby": "eq-heading" },
    h("h2", { id: "eq-heading" }, "Equilibria"),
    h("p", { class: "muted small" },
      `${result.n_states} feasible states; status quo: state ${result.status_quo ?? "none"}. An equilibrium is stable for every decision maker.`),
    h("table", { class: "table compact" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Concept"), h("th", { scope: "col", class: "num" }, "Count"), h("th", { scope: "col" }, "States"))),
      h("tbody", {}, rows)));
}

// ---------------------------------------------------------------- details panel

function stateLink(st, onPick) {
  const n = typeof st === "object" ? st.number : st;
  return h("button", { type: "button", class: "linklike", onClick: () => onPick(n) }, `state ${n}`);
}

function verdict(ok, concept) {
  return h("span", { class: `verdict ${ok ? "verdict-yes" : "verdict-no"}` },
    h("span", { "aria-hidden": "true" }, ok ? "✓ " : "✗ "),
    `${ok ? "stable" : "unstable"} (${conceptLabel(concept)})`);
}

const PREF_TEXT = { better: "▲ better", same: "= as good", worse: "▼ worse" };

function renderDetails(panel, ex, concept, onPick, labels, scenarioLabels = {}) {
  const st = ex.state || {};
  const eqConcepts = Object.entries(ex.equilibrium || {}).filter(([, v]) => v).map(([c]) => conceptLabel(c));
  const dms = ex.decision_makers || [];
  mount(panel,
    h("h2", { id: "details-heading", tabindex: "-1" }, `State ${st.number}`),
    h("p", {}, h("code", { class: "pattern" }, st.pattern || ""), " ", st.description || ""),
    h("p", { class: "badges" },
      ex.status_quo ? h("span", { class: "badge badge-sq" }, "Status quo") : null,
      ex.equilibrium && ex.equilibrium[concept]
        ? h("span", { class: "badge badge-eq" }, h("span", { "aria-hidden": "true" }, "◎ "), `Equilibrium (${conceptLabel(concept)})`)
        : h("span", { class: "badge" }, `Not an equilibrium (${conceptLabel(concept)})`),
      (ex.scenarios || []).map((sc) => h("span", { class: "badge badge-scenario" }, `Scenario: ${scenarioLabels[sc] || sc}`))),
    h("p", { class: "small muted" }, eqConcepts.length ? `Equilibrium under ${eqConcepts.join(", ")}.` : "Not an equilibrium under any concept."),
    ex.summary ? h("p", { class: "state-summary" }, ex.summary) : null,
    dms.map((dm) => {
      const exp = dm.explanation || {};
      const stable = exp.stable ?? (dm.stable && dm.stable[concept]);
      const moves = dm.moves || [];
      const imps = exp.improvements || [];
      return h("section", { class: `dm-card ${stable ? "dm-stable" : "dm-unstable"}`, "aria-label": `${dm.label || dm.name}` },
        h("h3", {}, dm.label || labels[dm.name] || dm.name, " ", verdict(stable, concept)),
        h("p", { class: "reason" }, exp.reason || ""),
        dm.payoff !== undefined ? h("p", { class: "small muted" }, `Preference score here: ${dm.payoff}.`) : null,
        moves.length
          ? h("details", { class: "moves", open: moves.length <= 4 },
            h("summary", {}, `${moves.length} move${moves.length === 1 ? "" : "s"} from here`),
            h("ul", { class: "move-list" }, moves.map((m) => h("li", {},
              h("span", { class: `pref pref-${m.preference}` }, PREF_TEXT[m.preference] || m.preference), " ",
              stateLink(m.target, onPick), ": ", m.text || "", statementList(m)))))
          : h("p", { class: "small muted" }, "No moves from here."),
        imps.length
          ? h("div", { class: "improvements" },
            h("h4", {}, `Improvements and ${concept === "nash" ? "why they matter" : "their sanctions"}`),
            h("ul", {}, imps.map((imp) => h("li", { class: imp.deterred ? "deterred" : "free" },
              h("span", { class: "tag" }, imp.deterred ? "deterred" : "not deterred"), " ",
              stateLink(imp.target, onPick), ": ", imp.reason || imp.text || "", statementList(imp),
              imp.sanction && imp.sanction.steps && imp.sanction.steps.length
                ? h("ol", { class: "steps" }, imp.sanction.steps.map((stp) => h("li", {}, stp.text || `${stp.from} → ${stp.to}`)))
                : null))))
          : null);
    }));
}

// ---------------------------------------------------------------- state table

function stabilitySets(result) {
  const sets = {};
  for (const [dm, byConcept] of Object.entries(result.stability || {})) {
    sets[dm] = {};
    for (const [c, list] of Object.entries(byConcept)) sets[dm][c] = new Set(list);
  }
  return sets;
}

function stateTable(result, labels, getConcept, onPick) {
  const sets = stabilitySets(result);
  const eqSets = Object.fromEntries(Object.entries(result.equilibria || {}).map(([c, l]) => [c, new Set(l)]));
  const dms = result.decision_makers || [];
  const concepts = result.concepts || [];
  const scenarioLabels = Object.fromEntries(Object.entries(result.scenarios || {}).map(([k, v]) => [k, v.label || k]));
  let out = null; // what stateTable returns (its afterRefresh hook)
  let sortKey = "number";
  let sortDir = 1;
  let query = "";
  let onlyEq = false;

  const searchId = uid("search");
  const eqId = uid("onlyeq");
  const search = h("input", { id: searchId, type: "search", placeholder: "state, pattern, option, scenario…", autocomplete: "off" });
  const onlyEqBox = h("input", { id: eqId, type: "checkbox" });
  const countEl = h("span", { class: "muted small", "aria-live": "polite" });
  const tbody = h("tbody");
  const headerCells = {};

  const columns = [
    { key: "number", label: "State", num: true },
    { key: "pattern", label: "Pattern" },
    { key: "description", label: "Options taken" },
    { key: "scenarios", label: "Scenario" },
    ...dms.map((d) => ({ key: `dm:${d}`, label: labels[d] || d, dm: d, title: `Stability for ${labels[d] || d} (letters: ${concepts.map((c) => `${LETTERS[c] || c} ${conceptLabel(c)}`).join(", ")}) and its preference score` })),
    { key: "eq", label: "Equilibrium" },
  ];

  function value(st, key) {
    if (key === "number") return st.number;
    if (key === "pattern") return st.pattern;
    if (key === "description") return st.description;
    if (key === "scenarios") return (st.scenarios || []).join(", ");
    if (key === "eq") return concepts.filter((c) => eqSets[c] && eqSets[c].has(st.number)).length * 10 + (eqSets[getConcept()]?.has(st.number) ? 100 : 0);
    if (key.startsWith("dm:")) return (st.payoffs || {})[key.slice(3)] ?? 0;
    return "";
  }

  function row(st) {
    const concept = getConcept();
    const isEq = eqSets[concept] && eqSets[concept].has(st.number);
    const sq = st.number === result.status_quo;
    const eqList = concepts.filter((c) => eqSets[c] && eqSets[c].has(st.number));
    return h("tr", { class: [isEq ? "row-eq" : null, sq ? "row-sq" : null], dataset: { state: String(st.number) } },
      h("th", { scope: "row", class: "num" },
        h("button", { type: "button", class: "linklike", "aria-label": `Open state ${st.number}`, onClick: () => onPick(st.number) }, String(st.number)),
        sq ? h("span", { class: "tag tag-sq", title: "status quo" }, "SQ") : null),
      h("td", {}, h("code", { class: "pattern" }, st.pattern)),
      h("td", { class: "desc" }, st.description),
      h("td", {}, (st.scenarios || []).map((sc) => scenarioLabels[sc] || sc).join(", ")),
      dms.map((d) => {
        const stableUnder = concepts.filter((c) => sets[d] && sets[d][c] && sets[d][c].has(st.number));
        const letters = concepts.map((c) => (stableUnder.includes(c) ? (LETTERS[c] || c[0].toUpperCase()) : "·")).join("");
        const here = stableUnder.includes(concept);
        return h("td", {
          class: ["stab", here ? "stab-yes" : "stab-no"],
          "aria-label": `${labels[d] || d}: ${stableUnder.length ? `stable under ${stableUnder.map(conceptLabel).join(", ")}` : "unstable under every concept"}; score ${(st.payoffs || {})[d] ?? "–"}`,
        }, h("span", { class: "letters", "aria-hidden": "true" }, letters), " ",
        h("span", { class: "score", "aria-hidden": "true" }, String((st.payoffs || {})[d] ?? "")));
      }),
      h("td", {}, isEq ? h("span", { class: "eq-mark" }, h("span", { "aria-hidden": "true" }, "◎ "), conceptLabel(concept)) : null,
        eqList.filter((c) => c !== concept).length
          ? h("span", { class: "muted small" }, ` ${isEq ? "also " : ""}${eqList.filter((c) => c !== concept).map(conceptLabel).join(" ")}`)
          : null));
  }

  function refresh() {
    const concept = getConcept();
    const q = query.trim().toLowerCase();
    let list = result.states || [];
    if (onlyEq) list = list.filter((st) => eqSets[concept] && eqSets[concept].has(st.number));
    if (q) {
      list = list.filter((st) => [String(st.number), st.pattern, st.description, ...(st.scenarios || []).map((sc) => scenarioLabels[sc] || sc)]
        .some((t) => String(t).toLowerCase().includes(q)));
    }
    list = [...list].sort((a, b) => {
      const va = value(a, sortKey);
      const vb = value(b, sortKey);
      const cmp = typeof va === "number" && typeof vb === "number" ? va - vb : String(va).localeCompare(String(vb));
      return cmp * sortDir || a.number - b.number;
    });
    const shown = list.slice(0, MAX_ROWS);
    mount(tbody, shown.map(row));
    countEl.textContent = list.length > MAX_ROWS
      ? `${list.length} states match; the first ${MAX_ROWS} are shown. Narrow the search to see the others.`
      : `${list.length} of ${(result.states || []).length} states`;
    for (const [key, th] of Object.entries(headerCells)) {
      th.setAttribute("aria-sort", key === sortKey ? (sortDir > 0 ? "ascending" : "descending") : "none");
    }
    if (out && out.afterRefresh) out.afterRefresh();
  }

  const thead = h("thead", {}, h("tr", {}, columns.map((col) => {
    const btn = h("button", { type: "button", class: "sort", title: col.title || `Sort by ${col.label}` }, col.label, h("span", { class: "sort-icon", "aria-hidden": "true" }));
    btn.addEventListener("click", () => {
      if (sortKey === col.key) sortDir = -sortDir;
      else {
        sortKey = col.key;
        sortDir = col.dm || col.key === "eq" ? -1 : 1;
      }
      refresh();
    });
    const th = h("th", { scope: "col", class: col.num ? "num" : "" }, btn);
    headerCells[col.key] = th;
    return th;
  })));

  const debounced = debounce(() => {
    query = search.value;
    refresh();
  }, 150);
  search.addEventListener("input", debounced);
  onlyEqBox.addEventListener("change", () => {
    onlyEq = onlyEqBox.checked;
    refresh();
  });

  const el = h("section", { class: "card table-card", "aria-labelledby": "table-heading" },
    h("div", { class: "card-head" },
      h("h2", { id: "table-heading" }, "States"),
      h("div", { class: "table-tools" },
        h("label", { for: searchId }, "Filter "), search,
        h("span", { class: "check" }, onlyEqBox, h("label", { for: eqId }, "Equilibria only")),
        countEl)),
    h("p", { class: "small muted" },
      "Per decision maker: the concepts under which the state is stable for it (",
      concepts.map((c) => `${LETTERS[c] || c} ${conceptLabel(c)}`).join(", "),
      "; · unstable) and its preference score (higher is preferred). Select a column heading to sort."),
    h("div", { class: "table-scroll" }, h("table", { class: "table states-table" }, thead, tbody)));
  refresh();
  out = { el, refresh, afterRefresh: null, columns: columns.length, highlight: (n) => {
    for (const tr of tbody.querySelectorAll("tr.row-selected")) tr.classList.remove("row-selected");
    const tr = tbody.querySelector(`tr[data-state="${n}"]`);
    if (tr) tr.classList.add("row-selected");
  } };
  return out;
}

// ---------------------------------------------------------------- view

export async function render(root, ctx) {
  const params = ctx.params || {};
  let concept = params.concept && CONCEPT_LABELS[params.concept] ? params.concept : "nash";
  let selected = params.state ? Number(params.state) : null;
  const ref = caseRef(ctx);

  const pickerSlot = h("div", { class: "concept-slot" });
  const header = pageHeader("Analysis", pickerSlot,
    h("div", { class: "toolbar" },
      h("a", { class: "btn btn-small", href: `/api/cases/${enc(ctx.caseId)}/graphml`, download: "" }, "GraphML"),
      h("a", { class: "btn btn-small", href: `/api/cases/${enc(ctx.caseId)}/report`, target: "_blank", rel: "noopener" }, "HTML report")));
  const eqSlot = h("div", { class: "eq-slot" }, loadingBox("Analysing…"));
  const graphSlot = h("section", { class: "card graph-card", "aria-labelledby": "graph-heading" },
    h("h2", { id: "graph-heading" }, "State graph"), h("div", { class: "graph-body" }, loadingBox("Laying out the states…")));
  const panel = h("section", { class: "card details", "aria-labelledby": "details-heading" },
    h("h2", { id: "details-heading" }, "State details"),
    h("p", { class: "muted" }, "Select a state in the graph or the table (or press Enter on it) to see who can move where, and why it is or is not stable."));
  const tableSlot = h("div", { class: "table-slot" });
  const pathsSlot = h("section", { class: "card paths-card", "aria-labelledby": "paths-heading" },
    h("h2", { id: "paths-heading" }, "From the status quo"), loadingBox("Following the moves…"));
  mount(root, header, h("div", { class: "analysis-grid" }, graphSlot, h("div", { class: "side" }, panel, eqSlot, pathsSlot)), tableSlot);

  let result;
  let labels = {};
  try {
    const [res, obj] = await Promise.all([
      cached(`analyze${caseKey(ctx)}`, () => api.post("/api/analyze", { ...ref })),
      caseObject(ctx).catch(() => null),
    ]);
    result = res;
    labels = dmLabels(obj);
  } catch (err) {
    mount(root, header, errorBox(err, "No graph-model analysis"),
      h("p", {}, "Cases with issues and actors only are analysed in the ",
        h("a", { href: caseHref(ctx.caseId, "forecast") }, "Forecast"), " view; the ",
        h("a", { href: caseHref(ctx.caseId, "edit") }, "Editor"), " shows what the case contains."));
    return undefined;
  }
  if (!ctx.isCurrent()) return undefined;
  const concepts = result.concepts || Object.keys(CONCEPT_LABELS);
  if (!concepts.includes(concept)) concept = concepts[0];

  let graph = null;
  let explainToken = 0;

  async function showDetails(n, { focusPanel = false, quiet = false } = {}) {
    selected = n;
    setParams({ state: n, concept });
    table.highlight(n);
    placePanel(n);
    const token = ++explainToken;
    mount(panel, h("h2", { id: "details-heading" }, `State ${n}`), loadingBox("Explaining…"));
    try {
      const ex = await cached(`explain${caseKey(ctx)}|${n}|${concept}`,
        () => api.get(`/api/cases/${enc(ctx.caseId)}/states/${n}?concept=${enc(concept)}`));
      if (token !== explainToken) return;
      renderDetails(panel, ex, concept, pick, labels, Object.fromEntries(Object.entries(result.scenarios || {}).map(([k, v]) => [k, v.label || k])));
      const dms = ex.decision_makers || [];
      const stableFor = dms.filter((d) => d.explanation && d.explanation.stable).length;
      if (!quiet) announce(`State ${n}: ${ex.equilibrium && ex.equilibrium[concept] ? "an equilibrium" : "not an equilibrium"} (${conceptLabel(concept)}); stable for ${stableFor} of ${dms.length} decision makers. Details beside the graph.`);
      if (focusPanel) panel.querySelector("h2")?.focus();
    } catch (err) {
      if (token !== explainToken) return;
      mount(panel, h("h2", { id: "details-heading" }, `State ${n}`), errorBox(err));
    }
  }

  function pick(n) {
    if (graph && graph.has(n)) graph.select(n, { notify: false });
    showDetails(n);
    const body = graphSlot.querySelector(".graph-body");
    void body;
  }

  async function loadGraph() {
    const body = graphSlot.querySelector(".graph-body");
    mount(body, loadingBox("Laying out the states…"));
    try {
      const data = await cached(`graph${caseKey(ctx)}|${concept}`, () => api.post("/api/graph", { ...ref, concept }));
      if (!ctx.isCurrent()) return;
      graph = createGraph(data, { concept, labelOf: (d) => labels[d] || d, scenarioLabel: (k) => (result.scenarios && result.scenarios[k] && result.scenarios[k].label) || k, onSelect: (n) => { panelAtRow = false; showDetails(n); } });
      mount(body, graph.el);
      if (selected !== null && graph.has(selected)) graph.select(selected, { notify: false });
    } catch (err) {
      graph = null;
      mount(body, errorBox(err, err instanceof ApiError && err.status === 422 ? "The graph cannot be drawn" : "The graph failed"));
    }
  }

  async function loadPaths() {
    const heading = h("h2", { id: "paths-heading" }, "From the status quo");
    if (result.status_quo === null || result.status_quo === undefined) {
      mount(pathsSlot, heading, h("p", { class: "muted small" }, "The case gives no status quo."));
      return;
    }
    mount(pathsSlot, heading, loadingBox("Following the moves…"));
    try {
      const evo = await cached(`evolve${caseKey(ctx)}|${concept}`, () => api.post("/api/evolve", { ...ref, concept }));
      if (!ctx.isCurrent()) return;
      const eqs = (evo.equilibria || {})[concept] || [];
      const paths = evo.paths || {};
      mount(pathsSlot, heading,
        h("p", { class: "small muted" }, `Equilibria (${conceptLabel(concept)}) reachable from state ${result.status_quo} by unilateral improvements, each by a shortest path; the graph draws these paths thick.`),
        eqs.length
          ? h("ol", { class: "path-list" }, eqs.map((n) => h("li", {},
            h("button", { type: "button", class: "linklike", onClick: () => pick(n) }, `State ${n}`),
            h("ol", { class: "steps" }, (paths[n] || paths[String(n)] || []).map((stp) => h("li", {}, stp.text || `${stp.from} → ${stp.to}`))))))
          : h("p", { class: "muted" }, "No equilibrium is reachable from the status quo by improvements."));
    } catch (err) {
      mount(pathsSlot, heading, errorBox(err));
    }
  }

  // The details panel follows the row picked in the table (it opens under that
  // row); picked in the graph or a list, it sits beside the graph.
  let panelAtRow = false;
  const sideEl = root.querySelector(".side");
  function placePanel(n) {
    for (const tr of table.el.querySelectorAll("tr.details-row")) if (!tr.contains(panel)) tr.remove();
    const row = panelAtRow ? table.el.querySelector(`tbody tr[data-state="${n}"]`) : null;
    if (!row) {
      if (panel.parentElement !== sideEl && sideEl) sideEl.prepend(panel);
      for (const tr of table.el.querySelectorAll("tr.details-row")) tr.remove();
      return;
    }
    let holder = row.nextElementSibling;
    if (!holder || !holder.classList.contains("details-row")) {
      for (const tr of table.el.querySelectorAll("tr.details-row")) tr.remove();
      holder = h("tr", { class: "details-row" }, h("td", { colspan: table.columns }));
      row.after(holder);
    }
    holder.firstChild.append(panel);
  }
  const pickFromTable = (n) => {
    panelAtRow = true;
    pick(n);
  };
  const table = stateTable(result, labels, () => concept, pickFromTable);
  table.afterRefresh = () => {
    if (selected !== null) placePanel(selected);
  };
  function setConcept(c) {
    concept = c;
    setParams({ concept: c });
    mount(eqSlot, equilibriaCard(result, concept, pick));
    table.refresh();
    if (selected !== null) table.highlight(selected);
    loadGraph().then(() => {
      if (selected !== null) showDetails(selected, { quiet: true });
    });
    loadPaths();
    announce(`Showing ${conceptLabel(c)} stability.`);
  }

  mount(pickerSlot, conceptPicker(concepts, concept, setConcept));
  mount(eqSlot, equilibriaCard(result, concept, pick));
  mount(tableSlot, table.el);
  const summary = summaryBox(result.summary, { id: "an-summary" });
  if (summary) {
    const notes = guidanceNotes(result);
    if (notes) summary.append(notes);
    root.insertBefore(summary, root.children[1] || null);
  }
  await loadGraph();
  if (selected !== null) showDetails(selected, { quiet: true });
  loadPaths();
  return undefined;
}
