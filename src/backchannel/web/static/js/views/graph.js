// The state graph as hand-written SVG: states at the server's layout
// (x, y in [0, 1]), moves as arrows coloured and dashed by decision maker.
// Keyboard: the graph is one tab stop; arrow keys move between states,
// Home goes to the status quo, Enter or Space opens a state's details.
// Filters (moves by one party; states with an option taken or not; states of a
// scenario) hide the rest. Why not Cytoscape.js: it draws on a canvas, so the
// states would lose what this SVG gives them (a tab stop, arrow-key moves, an
// accessible name per state, text marks beside colour); the layout here (columns
// by moves from the status quo) is the one the analysis reads; and 240 states
// draw at once in SVG. Filtering, not a different renderer, is what the large
// graph lacked.
import { h, s, clear, uid } from "../dom.js";
import { dmClass, dmSwatch, conceptLabel } from "../common.js";

const R = 11; // node radius
const COL_GAP = 170;
const ROW_GAP = 27;
const MARGIN = { left: 40, right: 60, top: 34, bottom: 30 };

function edgeKey(e) {
  return `${e.source}>${e.target}`;
}

/**
 * data: the /api/graph answer. opts: {concept, onSelect(n), labelOf(dm)}.
 * Returns {el, select(n, focus), setFilter(f), destroy()}.
 */
export function createGraph(data, opts) {
  const concept = opts.concept;
  const dms = data.dms || [];
  const dmIndex = new Map(dms.map((d, i) => [d, i]));
  const labelOf = opts.labelOf || ((d) => d);
  const nodes = data.nodes || [];
  const edges = data.edges || [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const prefix = uid("g");

  // Layout: the server's layers (x) and order within a layer (y). A layer
  // taller than the view is wrapped into several sub-columns, in order.
  const xs = [...new Set(nodes.map((n) => n.x))].sort((a, b) => a - b);
  const layers = xs.map((x) => nodes.filter((n) => n.x === x).sort((a, b) => a.y - b.y || a.id - b.id));
  const rowsPerCol = Math.max(12, Math.ceil(Math.sqrt(nodes.length) * 0.95));
  const maxLayer = Math.max(1, ...layers.map((l) => l.length));
  const wrap = maxLayer > rowsPerCol;
  const pos = new Map();
  const layerX = [];
  let width;
  let height;
  if (!wrap) {
    width = MARGIN.left + MARGIN.right + Math.max(1, xs.length - 1) * COL_GAP;
    const rowGap = Math.max(ROW_GAP, Math.min(64, 380 / maxLayer));
    height = MARGIN.top + MARGIN.bottom + Math.max(4, maxLayer) * rowGap;
    for (const n of nodes) {
      pos.set(n.id, {
        x: MARGIN.left + n.x * (width - MARGIN.left - MARGIN.right),
        y: MARGIN.top + n.y * (height - MARGIN.top - MARGIN.bottom),
      });
    }
    xs.forEach((x) => layerX.push(MARGIN.left + x * (width - MARGIN.left - MARGIN.right)));
  } else {
    const SUB_GAP = 42;
    const LAYER_GAP = 96;
    let x = MARGIN.left;
    for (const layer of layers) {
      const cols = Math.ceil(layer.length / rowsPerCol);
      const rows = Math.ceil(layer.length / cols);
      const top = MARGIN.top + ((rowsPerCol - rows) * ROW_GAP) / 2;
      layer.forEach((n, i) => {
        pos.set(n.id, { x: x + Math.floor(i / rows) * SUB_GAP, y: top + (i % rows) * ROW_GAP + ROW_GAP / 2 });
      });
      layerX.push(x + ((cols - 1) * SUB_GAP) / 2);
      x += (cols - 1) * SUB_GAP + LAYER_GAP;
    }
    width = x - LAYER_GAP + MARGIN.right;
    height = MARGIN.top + MARGIN.bottom + rowsPerCol * ROW_GAP;
  }

  const svg = s("svg", {
    class: "state-graph",
    tabindex: "-1",
    viewBox: `0 0 ${width} ${height}`,
    width, height,
    role: "group",
    "aria-label": `State graph: ${nodes.length} states${data.truncated ? " (only the status quo, the equilibria and the states reachable from the status quo)" : ""}, ${edges.length} moves. Use the arrow keys to move between states and Enter to open one.`,
  });

  // Arrowheads, one per decision maker (markers cannot inherit the line's colour everywhere).
  const defs = s("defs");
  dms.forEach((d, i) => {
    for (const variant of ["", "-path", "-dim"]) {
      defs.append(s("marker", {
        id: `${prefix}-arrow-${i}${variant}`, viewBox: "0 0 10 10", refX: 9, refY: 5,
        markerWidth: variant === "-path" ? 5 : 7, markerHeight: variant === "-path" ? 5 : 7, orient: "auto-start-reverse",
        markerUnits: variant === "-path" ? "strokeWidth" : "userSpaceOnUse",
        class: `arrowhead ${dmClass(i)}${variant ? ` arrowhead${variant}` : ""}`,
      }, s("path", { d: "M0,0 L10,5 L0,10 z" })));
    }
  });
  svg.append(defs);

  // Column captions: moves from the status quo.
  const captions = s("g", { class: "graph-captions", "aria-hidden": "true" });
  if (data.status_quo !== null && data.status_quo !== undefined) {
    layers.forEach((layer, i) => {
      const label = i === 0 ? "status quo" : `${i} move${i > 1 ? "s" : ""} away`;
      captions.append(s("text", { x: layerX[i], y: 16, class: "graph-caption" }, label));
      void layer;
    });
  }
  svg.append(captions);

  const edgeLayer = s("g", { class: "edges" });
  const edgeEls = [];
  const present = new Set(edges.map(edgeKey));
  for (const e of edges) {
    const a = pos.get(e.source);
    const b = pos.get(e.target);
    if (!a || !b) continue;
    const i = dmIndex.get(e.dm) ?? 0;
    // Curve moves that have a reverse move so the two arrows do not overlap.
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const bend = present.has(`${e.target}>${e.source}`) ? Math.min(28, len * 0.18) : Math.min(14, len * 0.08);
    const cx = (a.x + b.x) / 2 - (dy / len) * bend;
    const cy = (a.y + b.y) / 2 + (dx / len) * bend;
    const ex = b.x - cx;
    const ey = b.y - cy;
    const el = Math.hypot(ex, ey) || 1;
    const endR = R + (byId.get(e.target)?.equilibrium?.[concept] ? 5 : 2);
    const tx = b.x - (ex / el) * endR;
    const ty = b.y - (ey / el) * endR;
    const sx0 = a.x + ((cx - a.x) / (Math.hypot(cx - a.x, cy - a.y) || 1)) * R;
    const sy0 = a.y + ((cy - a.y) / (Math.hypot(cx - a.x, cy - a.y) || 1)) * R;
    const d = `M${sx0.toFixed(1)},${sy0.toFixed(1)} Q${cx.toFixed(1)},${cy.toFixed(1)} ${tx.toFixed(1)},${ty.toFixed(1)}`;
    const path = s("path", {
      d,
      class: ["edge-line", dmClass(i), e.improving ? "improving" : "not-improving", e.on_path ? "on-path" : null],
      "marker-end": `url(#${prefix}-arrow-${i}${e.on_path ? "-path" : e.improving ? "" : "-dim"})`,
    }, s("title", {}, `${labelOf(e.dm)}: state ${e.source} → state ${e.target}${e.improving ? " (an improvement for it)" : ""}${e.on_path ? "; on a path from the status quo" : ""}`));
    edgeEls.push({ e, el: path });
    edgeLayer.append(path);
  }
  svg.append(edgeLayer);

  const nodeLayer = s("g", { class: "nodes" });
  const nodeEls = new Map();
  for (const n of nodes) {
    const p = pos.get(n.id);
    const eq = Boolean(n.equilibrium && n.equilibrium[concept]);
    const stableFor = (n.stable_for && n.stable_for[concept]) || [];
    const eqConcepts = Object.entries(n.equilibrium || {}).filter(([, v]) => v).map(([c]) => conceptLabel(c));
    const parts = [`State ${n.id}`, n.pattern, n.description];
    if (n.status_quo) parts.push("status quo");
    if (eq) parts.push(`equilibrium (${conceptLabel(concept)})`);
    else if (eqConcepts.length) parts.push(`equilibrium under ${eqConcepts.join(", ")}`);
    if (!eq && stableFor.length) parts.push(`stable for ${stableFor.map(labelOf).join(", ")}`);
    if (n.scenarios && n.scenarios.length) parts.push(`scenario: ${n.scenarios.join(", ")}`);
    if (!n.reachable && !n.status_quo && data.status_quo) parts.push("not reachable from the status quo by improvements");
    const g = s("g", {
      class: ["node", eq ? "eq" : null, n.status_quo ? "sq" : null, n.reachable || n.status_quo ? "reachable" : "unreachable",
        !eq && stableFor.length === dms.length ? "stable-all" : null],
      transform: `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})`,
      tabindex: "-1",
      role: "button",
      "aria-label": parts.join("; "),
      dataset: { state: String(n.id) },
    });
    if (n.status_quo) {
      g.append(s("rect", { class: "node-shape", x: -R, y: -R, width: 2 * R, height: 2 * R, rx: 3 }));
      if (eq) g.append(s("rect", { class: "node-ring", x: -R - 4, y: -R - 4, width: 2 * R + 8, height: 2 * R + 8, rx: 5 }));
    } else {
      g.append(s("circle", { class: "node-shape", r: R }));
      if (eq) g.append(s("circle", { class: "node-ring", r: R + 4 }));
    }
    g.append(s("circle", { class: "node-focus", r: R + 8 }));
    g.append(s("text", { class: "node-label", y: 3.5 }, String(n.id)));
    // Text marks beside the node (top right), so that shape and colour are not the only cue.
    const tags = [n.status_quo ? "SQ" : null, eq ? "Eq" : null].filter(Boolean).join(" ");
    if (tags) g.append(s("text", { class: "node-tag", x: R + (eq ? 4 : 2), y: -R + 1 }, tags));
    g.append(s("title", {}, parts.join(" · ")));
    nodeEls.set(n.id, g);
    nodeLayer.append(g);
  }
  svg.append(nodeLayer);

  // Legend (HTML, so it wraps).
  const legend = h("div", { class: "graph-legend", "aria-label": "Legend" },
    h("span", { class: "legend-item" }, legendNode("eq"), `equilibrium (${conceptLabel(concept)}), marked Eq`),
    h("span", { class: "legend-item" }, legendNode("sq"), "status quo (square), marked SQ"),
    h("span", { class: "legend-item" }, legendNode("plain"), "other state"),
    h("span", { class: "legend-item" }, legendNode("unreachable"), "not reachable from the status quo by improvements (dashed)"),
    dms.map((d, i) => h("span", { class: "legend-item" }, dmSwatch(i), `${labelOf(d)} moves`)),
    h("span", { class: "legend-item" }, legendPath(), "path from the status quo"));

  let selected = null;
  let active = nodes.find((n) => n.status_quo)?.id ?? nodes[0]?.id;
  let filter = "auto";

  // Filters of the states (by option, by scenario) and of the moves (by party).
  const nodeFilter = { party: "", option: "", scenario: "" };
  let visible = new Set(nodes.map((n) => n.id));
  function nodeShown(n) {
    if (nodeFilter.option) {
      const [i, want] = nodeFilter.option.split(":");
      if ((n.pattern || "")[Number(i)] !== want) return false;
    }
    if (nodeFilter.scenario && !(n.scenarios || []).includes(nodeFilter.scenario)) return false;
    return true;
  }
  function applyNodeFilter() {
    visible = new Set(nodes.filter((n) => nodeShown(n) || n.id === selected).map((n) => n.id));
    for (const [id, g] of nodeEls) g.classList.toggle("hidden", !visible.has(id));
    if (filterCount) filterCount.textContent = visible.size === nodes.length ? "" : `${visible.size} of ${nodes.length} states shown`;
    applyEdgeFilter();
  }

  function applyEdgeFilter() {
    const mode = filter === "auto" ? (edges.length > 160 ? "focus" : "all") : filter;
    for (const { e, el } of edgeEls) {
      const touches = selected !== null && (e.source === selected || e.target === selected);
      if (!visible.has(e.source) || !visible.has(e.target) || (nodeFilter.party && e.dm !== nodeFilter.party)) {
        el.classList.add("hidden");
        continue;
      }
      let show;
      if (mode === "all") show = true;
      else if (mode === "improving") show = e.improving || e.on_path || (touches && e.source === selected);
      else show = e.on_path || (touches && e.source === selected);
      el.classList.toggle("hidden", !show);
      el.classList.toggle("from-selected", selected !== null && e.source === selected);
      el.classList.toggle("muted", selected !== null && !touches && !e.on_path);
    }
  }

  function setActive(id, focus) {
    if (!nodeEls.has(id)) return;
    if (active !== null && nodeEls.has(active)) nodeEls.get(active).setAttribute("tabindex", "-1");
    active = id;
    const g = nodeEls.get(id);
    g.setAttribute("tabindex", "0");
    if (focus) {
      g.focus({ preventScroll: true });
      scrollNodeIntoView(g);
    }
  }

  function select(id, { focus = false, notify = true } = {}) {
    if (!nodeEls.has(id)) return false;
    if (selected !== null && nodeEls.has(selected)) {
      nodeEls.get(selected).classList.remove("selected");
      nodeEls.get(selected).removeAttribute("aria-pressed");
    }
    selected = id;
    const g = nodeEls.get(id);
    g.classList.add("selected");
    g.setAttribute("aria-pressed", "true");
    setActive(id, focus);
    if (!focus) scrollNodeIntoView(g);
    applyEdgeFilter();
    if (notify && opts.onSelect) opts.onSelect(id);
    return true;
  }

  const scroller = h("div", { class: "graph-scroll" });
  function scrollNodeIntoView(g) {
    const box = scroller.getBoundingClientRect();
    const r = g.getBoundingClientRect();
    if (!box.width) return;
    const pad = 40;
    if (r.top < box.top + pad || r.bottom > box.bottom - pad) scroller.scrollTop += r.top - box.top - box.height / 2;
    if (r.left < box.left + pad || r.right > box.right - pad) scroller.scrollLeft += r.left - box.left - box.width / 2;
  }

  // Keyboard navigation between states, by the columns as drawn.
  const colXs = [...new Set([...pos.values()].map((p) => Math.round(p.x)))].sort((a, b) => a - b);
  const columns = colXs.map((cx) => nodes.filter((n) => Math.round(pos.get(n.id).x) === cx)
    .sort((a, b) => pos.get(a.id).y - pos.get(b.id).y));
  const colOf = new Map();
  columns.forEach((col, ci) => col.forEach((n, ri) => colOf.set(n.id, [ci, ri])));
  function neighbour(id, key) {
    // only the states the filters show
    const shown = (ci) => columns[ci].filter((n) => visible.has(n.id) || n.id === id);
    const [ci] = colOf.get(id) || [0, 0];
    const col = shown(ci);
    const ri = Math.max(0, col.findIndex((n) => n.id === id));
    if (key === "ArrowUp") return col[Math.max(0, ri - 1)].id;
    if (key === "ArrowDown") return col[Math.min(col.length - 1, ri + 1)].id;
    const step = key === "ArrowLeft" ? -1 : 1;
    let nci = ci + step;
    while (nci >= 0 && nci < columns.length && !shown(nci).length) nci += step;
    if (nci < 0 || nci >= columns.length) return id;
    const y = pos.get(id).y;
    const next = shown(nci);
    let best = next[0];
    for (const n of next) if (Math.abs(pos.get(n.id).y - y) < Math.abs(pos.get(best.id).y - y)) best = n;
    return best.id;
  }
  svg.addEventListener("keydown", (ev) => {
    const g = ev.target.closest && ev.target.closest(".node");
    if (!g) return;
    const id = Number(g.dataset.state);
    if (["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"].includes(ev.key)) {
      ev.preventDefault();
      setActive(neighbour(id, ev.key), true);
    } else if (ev.key === "Home") {
      ev.preventDefault();
      const sq = nodes.find((n) => n.status_quo) || nodes[0];
      if (sq) setActive(sq.id, true);
    } else if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      select(id, { focus: true });
    }
  });
  svg.addEventListener("click", (ev) => {
    const g = ev.target.closest && ev.target.closest(".node");
    if (g) select(Number(g.dataset.state), { focus: true });
  });
  svg.addEventListener("focusin", (ev) => {
    const g = ev.target.closest && ev.target.closest(".node");
    if (g) svg.classList.add("kbd");
  });

  // Zoom by resizing the SVG inside its scrolling box.
  let zoom = 1;
  function setZoom(z) {
    zoom = Math.max(0.3, Math.min(2.5, z));
    svg.setAttribute("width", String(Math.round(width * zoom)));
    svg.setAttribute("height", String(Math.round(height * zoom)));
    zoomLabel.textContent = `${Math.round(zoom * 100)} %`;
  }
  function fit() {
    const box = scroller.getBoundingClientRect();
    if (!box.width) return;
    const maxH = Math.min(window.innerHeight * 0.62, 560);
    setZoom(Math.max(0.55, Math.min(1.25, (box.width - 8) / width, (maxH - 8) / height)));
  }
  const zoomLabel = h("span", { class: "zoom-label", "aria-live": "polite" }, "100 %");
  const filterId = uid("edge-filter");
  const filterSelect = h("select", { id: filterId },
    h("option", { value: "auto" }, edges.length > 160 ? "Paths from the status quo, moves from the selected state" : "All moves"),
    h("option", { value: "improving" }, "Improvements only"),
    h("option", { value: "all" }, "All moves"));
  filterSelect.addEventListener("change", () => {
    filter = filterSelect.value;
    applyEdgeFilter();
  });
  const fid = { party: uid("gf-party"), option: uid("gf-option"), scenario: uid("gf-scen") };
  const partySelect = h("select", { id: fid.party }, h("option", { value: "" }, "every party"),
    dms.map((d) => h("option", { value: d }, labelOf(d))));
  const optionSelect = h("select", { id: fid.option }, h("option", { value: "" }, "any"),
    (data.options || []).flatMap((o, i) => [
      h("option", { value: `${i}:Y` }, `${o.label || o.name}: taken`),
      h("option", { value: `${i}:N` }, `${o.label || o.name}: not taken`)]));
  const scenarioNames = [...new Set(nodes.flatMap((n) => n.scenarios || []))].sort();
  const scenarioSelect = h("select", { id: fid.scenario }, h("option", { value: "" }, "any"),
    scenarioNames.map((sc) => h("option", { value: sc }, (opts.scenarioLabel || ((x) => x))(sc))));
  const filterCount = h("span", { class: "small muted", role: "status", "aria-live": "polite" });
  for (const [key, sel] of [["party", partySelect], ["option", optionSelect], ["scenario", scenarioSelect]]) {
    sel.addEventListener("change", () => {
      nodeFilter[key] = sel.value;
      applyNodeFilter();
    });
  }
  const filters = h("div", { class: "graph-filters", role: "group", "aria-label": "Filter the graph" },
    h("div", { class: "field" }, h("label", { for: fid.party }, "Moves by"), partySelect),
    h("div", { class: "field" }, h("label", { for: fid.option }, "Option"), optionSelect),
    scenarioNames.length ? h("div", { class: "field" }, h("label", { for: fid.scenario }, "Scenario"), scenarioSelect) : null,
    filterCount);
  const toolbar = h("div", { class: "graph-toolbar" },
    h("label", { for: filterId }, "Show "), filterSelect,
    h("span", { class: "spacer" }),
    h("button", { type: "button", class: "btn btn-small", "aria-label": "Zoom out", onClick: () => setZoom(zoom / 1.25) }, "−"),
    zoomLabel,
    h("button", { type: "button", class: "btn btn-small", "aria-label": "Zoom in", onClick: () => setZoom(zoom * 1.25) }, "+"),
    h("button", { type: "button", class: "btn btn-small", onClick: fit, "data-graph-fit": "" }, "Fit"));

  scroller.append(svg);
  const el = h("div", { class: "graph" },
    filters,
    toolbar,
    data.truncated ? h("p", { class: "note" }, `The case has ${data.n_states} states; the graph shows the status quo, the equilibria and the states reachable from the status quo (${nodes.length}).`) : null,
    scroller, legend);
  if (active !== undefined && active !== null) setActive(active, false);
  applyNodeFilter();
  requestAnimationFrame(() => {
    fit();
    const sq = nodes.find((n) => n.status_quo);
    if (sq && selected === null) scrollNodeIntoView(nodeEls.get(sq.id));
  });

  return {
    el,
    select,
    has: (id) => nodeEls.has(id),
    focusActive: () => setActive(active, true),
    destroy: () => clear(el),
  };
}

function legendNode(kind) {
  const svg = s("svg", { class: "legend-node", viewBox: "-14 -14 28 28", width: 20, height: 20, "aria-hidden": "true" });
  const g = s("g", { class: ["node", kind === "eq" ? "eq" : null, kind === "sq" ? "sq" : null, kind === "unreachable" ? "unreachable" : "reachable"] });
  if (kind === "sq") g.append(s("rect", { class: "node-shape", x: -8, y: -8, width: 16, height: 16, rx: 2 }));
  else g.append(s("circle", { class: "node-shape", r: 8 }));
  if (kind === "eq") g.append(s("circle", { class: "node-ring", r: 11.5 }));
  svg.append(g);
  return svg;
}

function legendPath() {
  const svg = s("svg", { class: "swatch", viewBox: "0 0 28 10", width: 28, height: 10, "aria-hidden": "true" });
  svg.append(s("line", { x1: 1, y1: 5, x2: 27, y2: 5, class: "edge-line dm-6 on-path" }));
  return svg;
}
