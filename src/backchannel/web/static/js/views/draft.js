// Draft a case from news reports: paste or upload reports, see the draft beside
// the text with every quote highlighted in place, accept or reject elements,
// and open the drafted case in the editor.   #/draft
import { api, caseHref, errorBox, loadingBox, pageHeader } from "../common.js";
import { h, mount, clear, announce, uid } from "../dom.js";

const KINDS = [
  ["parties", "Parties", "hl-party"],
  ["measures", "Measures under discussion", "hl-measure"],
  ["futures", "Futures the reports name", "hl-future"],
  ["claims", "Claims", "hl-claim"],
  ["contradictions", "Contradictions between reports", "hl-contra"],
];

// Reports typed or loaded by the user, kept while they move between views.
const state = { reports: [{ name: "report-1.txt", text: "" }], draft: null, rejected: null };

function reportEditor(list, i) {
  const r = state.reports[i];
  const nameId = uid("rname");
  const textId = uid("rtext");
  return h("div", { class: "draft-report" },
    h("div", { class: "draft-report-head" },
      h("label", { for: nameId }, `Report ${i + 1}`),
      h("input", { id: nameId, type: "text", value: r.name, onInput: (ev) => { r.name = ev.target.value; } }),
      state.reports.length > 1
        ? h("button", {
          type: "button", class: "btn btn-small", "aria-label": `Remove report ${i + 1}`,
          onClick: () => { state.reports.splice(i, 1); renderReports(list); },
        }, "Remove")
        : null),
    h("label", { for: textId, class: "sr-only" }, `Text of report ${i + 1} (plain text or HTML)`),
    h("textarea", {
      id: textId, rows: 8, class: "draft-text-input", spellcheck: "false",
      placeholder: "Paste the text of a news report (plain text or HTML)…",
      onInput: (ev) => { r.text = ev.target.value; },
    }, r.text));
}

function renderReports(list) {
  mount(list, ...state.reports.map((_, i) => reportEditor(list, i)));
}

/** The text of a source with every quote of the draft marked in place. */
function markedText(source, spans) {
  const text = source.text;
  const cuts = new Set([0, text.length]);
  for (const sp of spans) { cuts.add(sp.start); cuts.add(sp.end); }
  const points = [...cuts].sort((a, b) => a - b);
  const out = [];
  for (let k = 0; k + 1 < points.length; k += 1) {
    const a = points[k];
    const b = points[k + 1];
    const piece = text.slice(a, b);
    const over = spans.filter((sp) => sp.start <= a && b <= sp.end);
    if (!over.length) {
      out.push(piece);
      continue;
    }
    // the most specific mark wins the colour: the shortest span
    const top = over.reduce((x, y) => (y.end - y.start < x.end - x.start ? y : x));
    out.push(h("mark", {
      class: ["hl", top.cls, over.some((sp) => sp.rejected()) && over.every((sp) => sp.rejected()) ? "hl-rejected" : null],
      dataset: { refs: over.map((sp) => sp.ref).join(" ") },
      title: over.map((sp) => sp.label).join("\n"),
    }, piece));
  }
  return h("div", { class: "draft-source-text", tabindex: "0", "aria-label": `Text of ${source.id}` }, out);
}

function spansOf(draft, rejected) {
  const spans = [];
  const add = (kind, i, q, label, cls) => spans.push({
    source: q.source, start: q.start, end: q.end, ref: `${kind}-${i}`, label, cls,
    rejected: () => rejected[kind].has(kind === "parties" ? draft.parties[i].name : i),
  });
  draft.parties.forEach((p, i) => p.mentions.forEach((m) => add("parties", i, m, `party: ${p.name}`, "hl-party")));
  draft.claims.forEach((c, i) => add("claims", i, c, `claim: ${c.speaker} (${c.party || "party unknown"}) ${c.cue}`, "hl-claim"));
  draft.measures.forEach((m, i) => add("measures", i, m, `measure (${m.kind}): ${m.text}`, "hl-measure"));
  draft.futures.forEach((f, i) => add("futures", i, f, `future (${f.kind}): ${f.name}`, "hl-future"));
  draft.contradictions.forEach((c, i) => c.sides.forEach((sd) => add("contradictions", i, sd, `contradiction (${c.kind}): ${c.topic}`, "hl-contra")));
  return spans;
}

function describe(kind, item) {
  switch (kind) {
    case "parties":
      return [h("strong", {}, item.name), ` — ${item.kind}, ${item.mentions.length} mention${item.mentions.length === 1 ? "" : "s"}`,
        item.aliases.length ? h("span", { class: "small muted" }, ` (${item.aliases.slice(0, 6).join(", ")})`) : null];
    case "measures":
      return [h("strong", {}, item.text), h("span", { class: "small muted" }, ` — ${item.kind}, ${item.source}`)];
    case "futures":
      return [h("strong", {}, item.name), h("span", { class: "small muted" }, ` — ${item.kind}, ${item.source}`)];
    case "claims":
      return [h("strong", {}, item.speaker), ` (${item.party || "party unknown"}) ${item.cue}: `, h("q", {}, item.quote.replace(/\s+/g, " "))];
    default:
      return [h("strong", {}, `${item.kind}: ${item.topic}`), h("ul", { class: "small" },
        item.sides.map((sd) => h("li", {}, `${sd.source}: `, h("q", {}, sd.quote.replace(/\s+/g, " ")))))];
  }
}

function showQuote(root, ref) {
  const marks = root.querySelectorAll(`mark[data-refs~="${ref}"]`);
  for (const m of root.querySelectorAll("mark.hl-active")) m.classList.remove("hl-active");
  for (const m of marks) m.classList.add("hl-active");
  if (marks.length) {
    marks[0].scrollIntoView({ block: "center" });
    announce(`Quote shown in the text (${marks.length} place${marks.length === 1 ? "" : "s"}).`);
  }
}

function renderDraft(root, out, draft) {
  const rejected = { parties: new Set(), claims: new Set(), measures: new Set(), futures: new Set(), contradictions: new Set() };
  state.rejected = rejected;
  const spans = spansOf(draft, rejected);
  const texts = h("div", { class: "draft-texts" });
  const drawTexts = () => mount(texts, ...draft.sources.map((s) => h("section", { class: "draft-source", "aria-label": s.id },
    h("h3", {}, s.title, h("span", { class: "small muted" }, ` (${s.id}${s.date ? `, ${s.date}` : ""})`)),
    markedText(s, spans.filter((sp) => sp.source === s.id)))));
  drawTexts();
  const lists = h("div", { class: "draft-elements" },
    h("p", { class: "small muted" }, "Uncheck what the case should leave out; “Show” marks the words in the text. ",
      "Colours: ", ...KINDS.map(([, title, cls]) => h("mark", { class: ["hl", cls] }, title.split(" ")[0].toLowerCase())).flatMap((m) => [m, " "])),
    ...KINDS.map(([kind, title]) => {
      const items = draft[kind];
      if (!items.length) return null;
      return h("section", { class: "draft-kind", "aria-label": title }, h("h3", {}, `${title} (${items.length})`),
        h("ul", { class: "draft-list", "data-kind": kind }, items.map((item, i) => {
          const key = kind === "parties" ? item.name : i;
          const ref = `${kind}-${i}`;
          const box = h("input", {
            type: "checkbox", checked: true, "aria-label": `Accept ${kind.replace(/s$/, "")} ${i + 1}`,
            onChange: (ev) => {
              if (ev.target.checked) rejected[kind].delete(key); else rejected[kind].add(key);
              ev.target.closest("li").classList.toggle("rejected", !ev.target.checked);
              drawTexts();
            },
          });
          return h("li", { dataset: { ref } },
            h("label", { class: "draft-accept" }, box), h("span", { class: "draft-desc" }, describe(kind, item)),
            h("button", { type: "button", class: "btn btn-small", "aria-label": `Show ${kind.replace(/s$/, "")} ${i + 1} in the text`, onClick: () => showQuote(root, ref) }, "Show"));
        })));
    }));
  const nameId = uid("casename");
  const nameInput = h("input", { id: nameId, type: "text", value: "drafted-case", pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]{0,79}", required: true });
  const status = h("div", { class: "draft-open-status" });
  const openBtn = h("button", { type: "submit", class: "btn btn-primary" }, "Open in the editor");
  const form = h("form", {
    class: "draft-open",
    onSubmit: async (ev) => {
      ev.preventDefault();
      openBtn.disabled = true;
      mount(status, loadingBox("Writing the case…"));
      try {
        const body = {
          reports: state.reports.filter((r) => r.text.trim()),
          rejected: Object.fromEntries(Object.entries(rejected).map(([k, v]) => [k, [...v]])),
        };
        const res = await api.post("/api/draft", body);
        if (!res.case_yaml) throw new Error(res.case_error || "No case could be drafted.");
        const saved = await api.post("/api/cases", { name: nameInput.value, text: res.case_yaml, format: "yaml" });
        announce(`Saved the drafted case as ${saved.id}.`);
        window.location.hash = caseHref(saved.id, "edit");
      } catch (err) {
        mount(status, errorBox(err, "Cannot save the case"));
      } finally {
        openBtn.disabled = false;
      }
    },
  }, h("label", { for: nameId }, "Name of the new case "), nameInput, " ", openBtn,
  h("p", { class: "small muted" }, "The case is a draft: preferences, the status quo and the scenarios' predicates are placeholders to complete in the editor."),
  status);
  mount(out, form, h("div", { class: "draft-grid" }, texts, lists));
}

export async function render(root) {
  const list = h("div", { class: "draft-reports" });
  renderReports(list);
  const fileId = uid("files");
  const files = h("input", {
    id: fileId, type: "file", multiple: true, class: "sr-only", accept: ".txt,.text,.html,.htm,text/plain,text/html",
    onChange: async (ev) => {
      const loaded = await Promise.all([...ev.target.files].map(async (f) => ({ name: f.name, text: await f.text() })));
      state.reports = [...state.reports.filter((r) => r.text.trim()), ...loaded];
      if (!state.reports.length) state.reports = [{ name: "report-1.txt", text: "" }];
      renderReports(list);
      announce(`${loaded.length} report${loaded.length === 1 ? "" : "s"} loaded.`);
      ev.target.value = "";
    },
  });
  const out = h("div", { class: "draft-result", "aria-live": "polite" });
  const draftBtn = h("button", { type: "submit", class: "btn btn-primary" }, "Draft");
  const form = h("form", {
    class: "draft-form",
    onSubmit: async (ev) => {
      ev.preventDefault();
      const reports = state.reports.filter((r) => r.text.trim());
      if (!reports.length) {
        mount(out, errorBox(new Error("Paste or load at least one report.")));
        return;
      }
      draftBtn.disabled = true;
      mount(out, loadingBox("Reading the reports…"));
      try {
        const draft = await api.post("/api/draft", { reports });
        state.draft = draft;
        clear(out);
        renderDraft(root, out, draft);
        announce(`Draft ready: ${draft.parties.length} parties, ${draft.measures.length} measures, ${draft.futures.length} futures.`);
      } catch (err) {
        mount(out, errorBox(err, "Cannot draft"));
      } finally {
        draftBtn.disabled = false;
      }
    },
  }, list,
  h("div", { class: "draft-actions" },
    h("button", { type: "button", class: "btn", onClick: () => { state.reports.push({ name: `report-${state.reports.length + 1}.txt`, text: "" }); renderReports(list); } }, "Add a report"),
    h("label", { for: fileId, class: "btn" }, "Load files…"), files, " ", draftBtn));
  mount(root,
    pageHeader("Draft a case from reports"),
    h("p", {}, "Paste or load news reports. The server reads them offline and proposes the parties, "
      + "claims, measures, futures and contradictions, each tied to the words it rests on."),
    form, out);
  if (state.draft) renderDraft(root, out, state.draft);
}
