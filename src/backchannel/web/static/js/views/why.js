// Reasons, shared by the analysis and scenario views: the computed summary,
// the statements a move gains and loses (with their sources), solution-concept
// guidance, and why each named future is likely, rare or never (exact
// decomposition, diagnosis, cycles, what would it take).
import { h } from "../dom.js";

/** The computed summary (a list of sentences), or null. */
export function summaryBox(lines, { id = "summary" } = {}) {
  if (!lines || !lines.length) return null;
  return h("section", { class: "card summary-card", "aria-labelledby": `${id}-h`, "data-testid": "summary" },
    h("h2", { id: `${id}-h` }, "Summary"),
    h("ul", {}, lines.map((t) => h("li", {}, t))),
    h("p", { class: "small muted" }, "Computed from the results; no sentence of it is written by the analyst."));
}

/** The statements a move gains and loses, each with its priority and source. */
export function statementList(move) {
  const sts = move.statements || [];
  if (!sts.length) {
    return move.ranks ? h("p", { class: "small muted" }, `Rank ${move.ranks.from} → ${move.ranks.to} (1 = best).`) : null;
  }
  return h("ul", { class: "statements small" }, sts.map((st) => h("li", { class: `st-${st.change}` },
    h("span", { class: "tag" }, st.change === "gained" ? "gains" : "loses"), " ",
    h("code", {}, st.statement), ` (${st.priority}${st.priority === 1 ? "st" : st.priority === 2 ? "nd" : st.priority === 3 ? "rd" : "th"})`,
    st.quote || st.provenance ? h("q", { class: "quote" }, st.quote || st.provenance) : null)));
}

/** Solution-concept guidance notes of an analysis result, or null. */
export function guidanceNotes(result) {
  const notes = (result.guidance || []).flatMap((g) => g.notes || []);
  if (!notes.length) return null;
  return h("details", { class: "guidance" }, h("summary", {}, "What the concepts say here"),
    h("ul", { class: "small" }, notes.map((n) => h("li", {}, n))));
}

function futuresText(f) {
  return Object.entries(f || {}).map(([k, v]) => (v < 1 ? `${k} ${v.toFixed(3)}` : k)).join(", ") || "(cycle)";
}

/** Method, decomposition, diagnosis, cycles and what would it take, for a scenario result. */
export function scenarioReasons(result) {
  const diag = result.diagnostics || [];
  const dec = result.decomposition || [];
  const parts = [];
  if (result.method === "exact") {
    parts.push(h("p", { class: "small" }, h("strong", {}, "Exact. "),
      `The probabilities are sums over the ${result.combinations} combinations of the uncertain preferences, each weighted by its probability (no sampling error).`));
    parts.push(h("details", { open: dec.length <= 8 }, h("summary", {}, "Which combination leads to which future"),
      h("div", { class: "table-scroll" }, h("table", { class: "table compact", "data-testid": "decomposition" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Combination"), h("th", { scope: "col", class: "num" }, "Weight"), h("th", { scope: "col" }, "Future"), h("th", { scope: "col" }, "Outcome states"))),
        h("tbody", {}, dec.slice(0, 60).map((r) => h("tr", {},
          h("td", {}, r.combination), h("td", { class: "num" }, r.weight.toFixed(4)), h("td", {}, futuresText(r.futures)), h("td", {}, (r.outcomes || []).join(", ")))))))));
  } else if (result.why_not_exact) {
    parts.push(h("p", { class: "small muted" }, `Monte Carlo estimate; not exact because ${result.why_not_exact}.`));
  }
  if (diag.length) {
    parts.push(h("table", { class: "table compact", "data-testid": "diagnostics" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Future"), h("th", { scope: "col" }, "Kind"), h("th", { scope: "col" }, "Why"))),
      h("tbody", {}, diag.map((r) => h("tr", { dataset: { future: r.future } },
        h("th", { scope: "row" }, r.label), h("td", {}, h("span", { class: `kind kind-${r.kind}` }, r.kind)), h("td", {}, r.reason))))));
  }
  for (const c of result.cycles || []) {
    parts.push(h("p", { class: "small" }, `Cycle (probability ${c.p.toFixed(3)}): no equilibrium is reached; the conflict keeps moving through ${c.states.length} states (${c.states.slice(0, 12).join(", ")}${c.states.length > 12 ? " …" : ""}).`));
  }
  for (const w of result.what_would_it_take || []) {
    parts.push(h("p", { class: "small" }, h("strong", {}, `What would it take (${w.label}): `), w.text));
  }
  if (!parts.length) return null;
  return h("section", { class: "card", "aria-labelledby": "sc-why" }, h("h2", { id: "sc-why" }, "Why each future is likely, rare or never"), parts);
}
