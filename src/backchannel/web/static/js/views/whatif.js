// What if: sliders over the case's uncertain preferences — each statement's
// probability, each alternative ordering's weight, each uncertain pair's
// probability — and the scenario probabilities they give, next to those of
// the case as written. The numbers come from POST /api/whatif, which says how
// they were computed ("monte_carlo": a quick preview with a fixed seed, or
// "exact"); the panel labels them accordingly. "Save as a new version" keeps
// the case's comments (the YAML is updated in place).
import { api, enc, forgetCase } from "../api.js";
import { h, mount, uid, debounce, announce, dialog } from "../dom.js";
import { pageHeader, errorBox, loadingBox, caseHref, forgetCaseInfo } from "../common.js";
import { setLeaveGuard } from "../guard.js";
import { parseYaml, updateYaml } from "../yaml.js";
import { sideBySide } from "./compare.js";

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function caseOf(info) {
  if (typeof info.text !== "string") return null;
  try {
    return info.format === "json" ? JSON.parse(info.text) : info.format === "yaml" ? parseYaml(info.text) : null;
  } catch (err) {
    return null;
  }
}

function statementText(st) {
  return typeof st === "string" ? st : (st && (st.statement ?? st.condition)) || "";
}

/** Every slider the case offers: {group, label, get(), set(v), min, max}. */
export function knobs(obj) {
  const out = [];
  for (const dm of obj.decision_makers || []) {
    if (!isObj(dm)) continue;
    const who = dm.label || dm.name;
    let prefs = dm.preferences;
    if (Array.isArray(prefs)) {
      prefs = { prioritization: prefs };
      dm.preferences = prefs;
    }
    if (!isObj(prefs)) continue;
    const list = prefs.prioritization || [];
    list.forEach((st, j) => {
      out.push({
        group: who, kind: "statement", label: `Statement ${j + 1}: ${statementText(st)}`,
        get: () => (isObj(list[j]) && list[j].probability !== undefined ? Number(list[j].probability) : 1),
        set: (v) => {
          if (!isObj(list[j])) list[j] = { statement: list[j] };
          if (v >= 1) delete list[j].probability;
          else list[j].probability = v;
        },
        min: 0, max: 1,
      });
    });
    (prefs.alternatives || []).forEach((alt, a) => {
      if (!isObj(alt)) return;
      const others = () => prefs.alternatives.reduce((sum, x, i) => sum + (i === a ? 0 : Number(x.weight) || 0), 0);
      out.push({
        group: who, kind: "weight", label: `Weight of alternative ordering ${a + 1}${alt.note ? `: ${alt.note}` : ""}`,
        get: () => Number(alt.weight) || 0,
        set: (v) => { alt.weight = Math.max(0.01, Math.min(v, 1 - others())); },
        min: 0.01, max: 1,
      });
    });
    (prefs.uncertain || []).forEach((pair, k) => {
      const states = Array.isArray(pair) ? pair : pair && pair.states;
      out.push({
        group: who, kind: "pair", label: `Probability that state ${states ? states[0] : "?"} is preferred to ${states ? states[1] : "?"}`,
        get: () => (isObj(prefs.uncertain[k]) && prefs.uncertain[k].p !== undefined ? Number(prefs.uncertain[k].p) : 0.5),
        set: (v) => {
          if (!isObj(prefs.uncertain[k])) prefs.uncertain[k] = { states: prefs.uncertain[k] };
          prefs.uncertain[k].p = v;
        },
        min: 0, max: 1,
      });
    });
  }
  return out;
}

function slider(knob, onChange) {
  const id = uid("knob");
  const out = h("output", { for: id, class: "knob-value" }, knob.get().toFixed(2));
  const input = h("input", { id, type: "range", min: knob.min, max: knob.max, step: 0.05, value: knob.get(), "data-kind": knob.kind });
  input.addEventListener("input", () => {
    knob.set(Number(input.value));
    input.value = knob.get(); // a weight is capped so that the weights add up to at most 1
    out.textContent = knob.get().toFixed(2);
    onChange();
  });
  return h("div", { class: "knob" }, h("label", { for: id, title: knob.label }, knob.label), h("div", { class: "knob-input" }, input, out));
}

export async function render(root, ctx) {
  const info = ctx.info;
  const obj = caseOf(info);
  if (!obj) {
    mount(root, pageHeader("What if"), h("p", { class: "empty" }, "This case's text cannot be edited here (a GMCR+ or KTAB file): import it as YAML first."));
    return undefined;
  }
  const sliders = knobs(obj);
  const methodEl = h("p", { class: "method-label", role: "status", "aria-live": "polite" }, "Computing…");
  const resultSlot = h("div", { class: "whatif-result" }, loadingBox("Computing the case as written…"));
  const saveBtn = h("button", { type: "button", class: "btn btn-primary", disabled: true }, info.source === "bundled" ? "Save as a new case…" : "Save as a new version");
  const resetBtn = h("button", { type: "button", class: "btn", disabled: true }, "Back to the case as written");
  let baseline = null;
  let token = 0;
  let changed = false;
  let stopped = false;

  const compute = async () => {
    const mine = ++token;
    methodEl.textContent = "Computing…";
    try {
      const res = await api.post("/api/whatif", { text: JSON.stringify(obj), format: "json" });
      if (mine !== token || stopped) return;
      methodEl.textContent = res.method === "exact"
        ? `Exact: ${res.method_note || "every combination of the uncertain inputs"} (${res.preview_seconds} s).`
        : `${res.method_note} (${res.preview_seconds} s)`;
      methodEl.dataset.method = res.method;
      mount(resultSlot, sideBySide(baseline || res, res, ["As written", "What if"]));
    } catch (err) {
      if (mine === token && !stopped) mount(resultSlot, errorBox(err, "Cannot compute"));
    }
  };
  const soon = debounce(compute, 200);
  const onChange = () => {
    changed = true;
    saveBtn.disabled = false;
    resetBtn.disabled = false;
    soon();
  };

  saveBtn.addEventListener("click", async () => {
    const text = info.format === "json" ? `${JSON.stringify(obj, null, 2)}\n` : updateYaml(info.text, obj);
    saveBtn.disabled = true;
    try {
      if (info.source === "bundled") {
        const values = await dialog({
          title: "Save as a new case",
          body: "Bundled cases cannot be changed; the case with these settings is saved as a case of your own.",
          fields: [{ name: "name", label: "Name", value: `${info.name}-whatif`, required: true, pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]{0,79}" }],
          submitLabel: "Save",
        });
        if (!values) return;
        const res = await api.post("/api/cases", { name: values.name, text, format: info.format });
        changed = false;
        announce(`Saved as ${res.id}, version ${res.version}.`);
        window.location.hash = caseHref(res.id, "whatif");
        return;
      }
      const res = await api.put(`/api/cases/${enc(ctx.caseId)}`, { text, format: info.format });
      forgetCase(ctx.caseId);
      forgetCaseInfo(ctx.caseId);
      changed = false;
      announce(`Saved version ${res.version}.`);
      window.location.hash = caseHref(ctx.caseId, "whatif", { saved: res.version });
    } catch (err) {
      announce(`Not saved: ${err.message}`, "error");
    } finally {
      saveBtn.disabled = !changed;
    }
  });
  resetBtn.addEventListener("click", () => {
    changed = false;
    window.location.reload();
  });
  const removeGuard = setLeaveGuard(() => changed);

  const groups = new Map();
  for (const k of sliders) {
    if (!groups.has(k.group)) groups.set(k.group, []);
    groups.get(k.group).push(k);
  }
  mount(root,
    pageHeader("What if", h("span", { class: "toolbar" }, resetBtn, saveBtn)),
    h("p", { class: "lead" }, "Move a slider to change how likely a preference statement holds, how much weight an alternative ordering has, or how likely one state is preferred to another; the scenario probabilities follow."),
    h("div", { class: "whatif-grid" },
      h("section", { class: "card knobs", "aria-labelledby": "wi-knobs" },
        h("h2", { id: "wi-knobs" }, "Uncertain preferences"),
        sliders.length
          ? [...groups].map(([who, list]) => h("fieldset", { class: "knob-group" }, h("legend", {}, who), list.map((k) => slider(k, onChange))))
          : h("p", { class: "empty" }, "This case has no preference statements, alternative orderings or uncertain pairs to vary.")),
      h("section", { class: "card", "aria-labelledby": "wi-result" },
        h("h2", { id: "wi-result" }, "Scenario probabilities"),
        methodEl,
        resultSlot)));
  // the case as written first: the baseline of every comparison
  try {
    const res = await api.post("/api/whatif", { case: ctx.caseId, version: info.version ?? undefined });
    if (stopped) return undefined;
    baseline = res;
    methodEl.textContent = `${res.method_note} (${res.preview_seconds} s)`;
    methodEl.dataset.method = res.method;
    mount(resultSlot, sideBySide(res, res, ["As written", "What if"]));
  } catch (err) {
    mount(resultSlot, errorBox(err, "Cannot compute"));
  }
  return () => {
    stopped = true;
    soon.cancel();
    removeGuard();
  };
}
