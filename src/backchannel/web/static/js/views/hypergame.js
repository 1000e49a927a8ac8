// What each party sees: per decision maker, the options it does not know,
// the outcomes it anticipates in its own picture, and how the outcomes of
// the conflict look to it (anticipated, unexpected, surprises).
import { api, cached } from "../api.js";
import { h, mount, uid } from "../dom.js";
import { CONCEPT_TITLES, conceptLabel, caseKey, caseRef, pageHeader, errorBox, loadingBox, setParams, caseHref } from "../common.js";
import { caseObject, dmLabels } from "./shared.js";

const KIND = {
  anticipated: { cls: "kind-anticipated", icon: "✓", text: "anticipated" },
  unexpected: { cls: "kind-unexpected", icon: "○", text: "unexpected" },
  "strategic surprise": { cls: "kind-strategic", icon: "!", text: "strategic surprise" },
  "preference surprise": { cls: "kind-preference", icon: "≠", text: "preference surprise" },
  stealthy: { cls: "kind-stealthy", icon: "◐", text: "stealthy" },
};

function kindBadge(kind) {
  const k = KIND[kind] || { cls: "kind-unexpected", icon: "·", text: kind };
  return h("span", { class: `kind ${k.cls}` }, h("span", { "aria-hidden": "true" }, `${k.icon} `), k.text);
}

const SOURCE_TEXT = { observed: "observed", h1: "H1", h2: "H2" };

export async function render(root, ctx) {
  const params = ctx.params || {};
  const body = h("div", {}, loadingBox("Working out each party's picture…"));
  const pickerSlot = h("div", { class: "concept-slot" });
  mount(root, pageHeader("What each party sees", pickerSlot), body);
  let result;
  let obj = await caseObject(ctx).catch(() => null);
  let analysis = null;
  if (obj && !obj.perceptions && !(obj.timeline || []).length && ctx.isCurrent()) {
    mount(body, h("p", { class: "empty" }, "In this case every party sees the true game: it says nothing about what a party does not know. Add perceptions in the ",
      h("a", { href: caseHref(ctx.caseId, "edit") }, "Editor"), " to compare the parties' pictures."));
    return undefined;
  }
  try {
    [result, obj, analysis] = await Promise.all([
      cached(`hypergame${caseKey(ctx)}`, () => api.post("/api/hypergame", caseRef(ctx))),
      caseObject(ctx).catch(() => null),
      cached(`analyze${caseKey(ctx)}`, () => api.post("/api/analyze", caseRef(ctx))).catch(() => null),
    ]);
  } catch (err) {
    mount(body, errorBox(err, "No hypergame analysis"));
    return undefined;
  }
  if (!ctx.isCurrent()) return undefined;
  const timeline = result.phases || [];
  const dynamics = result.dynamics || null;
  let phaseIndex = Math.max(0, Math.min(timeline.length - 1, Number(params.phase || 0) || 0));
  const snapshot = result;
  const phaseView = () => (timeline.length ? { ...snapshot, ...timeline[phaseIndex].hypergame } : snapshot);
  result = phaseView();
  const labels = dmLabels(obj);
  const concepts = result.concepts || ["nash"];
  let concept = concepts.includes(params.concept) ? params.concept : concepts[0];
  const dms = Object.keys(result.unaware_of || result.perceived_equilibria || {});
  const options = [];
  for (const dm of (obj && obj.decision_makers) || []) {
    for (const opt of dm.options || []) options.push({ name: opt.name, label: opt.label || opt.name, owner: dm.name });
  }
  const states = { ...(result.states || {}) };
  for (const st of (analysis && analysis.states) || []) if (!states[st.number]) states[st.number] = st;
  const describe = (n) => {
    const st = states[n] || states[String(n)];
    return st ? [": ", h("code", { class: "pattern" }, st.pattern), " ", st.description] : [];
  };
  const stateRef = (n) => h("a", { href: caseHref(ctx.caseId, "analysis", { state: n, concept: concept === "sim" ? "nash" : concept }), class: "state-ref" }, `State ${n}`);

  function draw() {
    const surprises = (result.surprise || []).filter((s) => s.concept === concept);
    const observed = surprises.filter((s) => (s.source || []).includes("observed"));
    const h1 = (result.h1 || {})[concept] || [];
    const h2 = (result.h2 || {})[concept] || [];
    const unawareAny = dms.filter((d) => (result.unaware_of[d] || []).length);

    const summary = h("section", { class: "card", "aria-labelledby": "hg-summary" },
      h("h2", { id: "hg-summary" }, "Outcomes"),
      h("div", { class: "hyper-summary" },
        h("div", {},
          h("h3", {}, "Who does not know what"),
          unawareAny.length
            ? h("ul", { class: "outcome-list" }, unawareAny.map((d) => h("li", {},
              h("strong", {}, labels[d] || d), " does not know of ",
              (result.unaware_of[d] || []).map((o, i) => [i ? ", " : "", h("del", {}, (options.find((x) => x.name === o) || {}).label || o)]))))
            : h("p", { class: "muted" }, "Every party knows every option.")),
        h("div", {},
          h("h3", {}, "Outcomes of the perceived games"),
          h("dl", { class: "kv" },
            h("dt", { title: "Each carries out its part of an outcome it anticipates." }, "H1"), h("dd", {}, h1.length ? h1.map((n, i) => [i ? ", " : "", stateRef(n)]) : "none"),
            h("dt", { title: "States stable for each in its own game." }, "H2"), h("dd", {}, h2.length ? (h2.length > 12 ? `${h2.length} states` : h2.map((n, i) => [i ? ", " : "", stateRef(n)])) : "none"),
            h("dt", {}, "Observed"), h("dd", {}, observed.length ? observed.map((s, i) => [i ? ", " : "", stateRef(s.state)]) : "not given"),
            h("dt", {}, "Status quo"), h("dd", {}, result.status_quo ? stateRef(result.status_quo) : "none")),
          h("p", { class: "small muted" }, "H1: each party carries out its part of an outcome it anticipates. H2: stable for each party in its own picture."))));

    const columns = h("div", { class: "hyper-grid" }, dms.map((d) => {
      const hidden = new Set(result.unaware_of[d] || []);
      const anticipated = ((result.perceived_equilibria || {})[d] || {})[concept] || [];
      const mine = surprises.map((s) => ({ s, kind: (s.kinds || {})[d] })).filter((x) => x.kind);
      const id = uid("p");
      return h("section", { class: "card perspective", "aria-labelledby": id },
        h("h2", { id }, labels[d] || d),
        h("h3", {}, `Anticipated outcome${anticipated.length === 1 ? "" : "s"} (${conceptLabel(concept)})`),
        anticipated.length
          ? h("ul", { class: "outcome-list" }, anticipated.slice(0, 12).map((n) => h("li", {}, stateRef(n), describe(n))),
            anticipated.length > 12 ? h("li", { class: "muted" }, `and ${anticipated.length - 12} more`) : null)
          : h("p", { class: "muted small" }, "No equilibrium in its picture."),
        h("h3", {}, "How the outcomes look to it"),
        mine.length
          ? h("ul", { class: "outcome-list" }, mine.slice(0, 14).map(({ s, kind }) => h("li", {},
            kindBadge(kind), " ", stateRef(s.state), " ",
            h("span", { class: "small muted" }, `(${(s.source || []).map((x) => SOURCE_TEXT[x] || x).join(", ")})`))),
            mine.length > 14 ? h("li", { class: "muted small" }, `and ${mine.length - 14} more in the table below`) : null)
          : h("p", { class: "muted small" }, "No outcomes to compare."),
        h("h3", {}, "Options in its picture"),
        options.length
          ? h("ul", { class: "opt-list" }, [...new Set(options.map((o) => o.owner))].map((owner) => h("li", {},
            h("span", { class: "controller" }, labels[owner] || owner),
            h("ul", {}, options.filter((o) => o.owner === owner).map((o) => (hidden.has(o.name)
              ? h("li", { class: "opt-hidden" }, h("del", {}, o.label), " ", h("span", { class: "tag" }, "unknown to it"))
              : h("li", {}, o.label)))))))
          : h("p", { class: "muted small" }, hidden.size ? `Unaware of: ${[...hidden].join(", ")}` : "Knows every option."));
    }));

    const matrix = surprises.length ? h("section", { class: "card", "aria-labelledby": "hg-matrix" },
      h("h2", { id: "hg-matrix" }, "Who is surprised by which outcome"),
      h("p", { class: "small muted" },
        "Strategic surprise: the outcome rests on an option the party did not know. Preference surprise: it rests on preferences the party misjudged. Stealthy: the party sees what it expected while hidden options are taken."),
      h("div", { class: "table-scroll" }, h("table", { class: "table compact surprise-table" },
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Outcome"), h("th", { scope: "col" }, "From"),
          dms.map((d) => h("th", { scope: "col" }, labels[d] || d)))),
        h("tbody", {}, surprises.map((s) => h("tr", {},
          h("th", { scope: "row" }, stateRef(s.state), " ", h("code", { class: "pattern small" }, s.pattern)),
          h("td", {}, (s.source || []).map((x) => SOURCE_TEXT[x] || x).join(", ")),
          dms.map((d) => h("td", {}, (s.kinds || {})[d] ? kindBadge(s.kinds[d]) : "–")))))))) : null;

    mount(body, timelineCard(), summary, columns, matrix);
  }

  // the phases of the timeline, in order: who sees what, how each ends, who learns what
  function timelineCard() {
    if (!timeline.length || !dynamics) return null;
    const optLabel = (o) => (options.find((x) => x.name === o) || {}).label || o;
    const steps = (name) => {
      const seen = new Set();
      for (const path of Object.values(dynamics.paths || {})) {
        for (const part of path) if (part.phase === name) for (const st of part.steps) seen.add(st.text);
      }
      return [...seen];
    };
    const items = dynamics.phases.map((p, i) => {
      const id = uid("ph");
      const blind = Object.entries(p.perceptions || {}).flatMap(([d, v]) => [
        ...(v.unaware_of || []).length ? [h("li", {}, h("strong", {}, labels[d] || d), " does not know of ", (v.unaware_of).map((o, k) => [k ? ", " : "", h("del", {}, optLabel(o))]))] : [],
        ...(v.unsure_of || []).length ? [h("li", {}, h("strong", {}, labels[d] || d), " knows of but cannot see ", (v.unsure_of).map((o, k) => [k ? ", " : "", optLabel(o)]))] : [],
      ]);
      const moves = steps(p.name);
      const button = h("button", { type: "button", class: "link", "aria-pressed": String(i === phaseIndex), "aria-describedby": id }, "Show this phase's pictures");
      button.addEventListener("click", () => { phaseIndex = i; setParams({ phase: String(i) }); result = phaseView(); draw(); });
      return h("li", { class: i === phaseIndex ? "current" : "" },
        h("h3", { id }, `${i + 1}. ${p.label}`),
        p.description ? h("p", { class: "small" }, p.description) : null,
        blind.length ? h("ul", {}, blind) : h("p", { class: "small muted" }, "Every party sees every option."),
        moves.length ? [h("p", { class: "small" }, "On the path to the outcome:"), h("ul", {}, moves.map((t) => h("li", {}, t)))]
          : h("p", { class: "small muted" }, "Nobody moves on the path to the outcome."),
        p.ends ? h("p", { class: "phase-end" }, `Ends ${p.ends.text}.`) : h("p", { class: "phase-end" }, "The last phase."),
        (p.surprises || []).length ? h("ul", {}, p.surprises.map((x) => h("li", {},
          h("strong", {}, labels[x.decision_maker] || x.decision_maker), " learns that ", x.options.map(optLabel).join(", "),
          " is taken (", stateRef(x.state), "): ", kindBadge(x.kind.startsWith("strategic") ? "strategic surprise" : x.kind), " — ", x.why))) : null,
        button);
    });
    const same = JSON.stringify(dynamics.outcomes) === JSON.stringify(dynamics.full_information.outcomes);
    return h("section", { class: "card", "aria-labelledby": "hg-timeline" },
      h("h2", { id: "hg-timeline" }, "Timeline"),
      h("ol", { class: "phase-timeline" }, items),
      (snapshot.story || []).length ? h("details", {}, h("summary", {}, "The story in words"),
        h("ul", { class: "small" }, snapshot.story.map((line) => h("li", {}, line.trim())))) : null,
      h("p", {}, "Outcome, each acting on its own picture: ", dynamics.outcomes.map((n, i) => [i ? ", " : "", stateRef(n), describe(n)]), "."),
      h("p", { class: same ? "muted small" : "" }, same
        ? "With full information from the start the conflict would come to rest in the same state(s): the secrecy decides who is surprised and when."
        : ["With full information from the start: ", dynamics.full_information.outcomes.map((n, i) => [i ? ", " : "", stateRef(n)]), "."]));
  }

  // concept picker
  const name = uid("hgc");
  mount(pickerSlot, h("fieldset", { class: "segmented" }, h("legend", {}, "Solution concept"),
    concepts.map((c) => {
      const id = uid("c");
      const input = h("input", { type: "radio", name, id, value: c, checked: c === concept });
      input.addEventListener("change", () => {
        if (!input.checked) return;
        concept = c;
        setParams({ concept: c });
        draw();
      });
      return h("span", { class: "segment" }, input, h("label", { for: id, title: CONCEPT_TITLES[c] || "" }, conceptLabel(c)));
    })));
  draw();
  return undefined;
}
