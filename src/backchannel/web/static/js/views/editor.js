// Case editor: a structured form and a raw YAML mode over the same case,
// both checked by POST /api/validate as the user types (300 ms after the
// last keystroke). Each problem is shown beside the field it names (form)
// or the line it names (YAML). Saving makes a new version.
import { api, enc, forgetCase, ApiError } from "../api.js";
import { h, mount, uid, debounce, announce, dialog } from "../dom.js";
import { caseHref, errorBox, forgetCaseInfo, getCaseInfo } from "../common.js";
import { parseYaml, toYaml } from "../yaml.js";

// NATO "Admiralty" grades: a source's reliability, a claim's credibility
const RELIABILITY = [["", "(not graded)"], ["A", "A — completely reliable"], ["B", "B — usually reliable"], ["C", "C — fairly reliable"],
  ["D", "D — not usually reliable"], ["E", "E — unreliable"], ["F", "F — cannot be judged"]];
const CREDIBILITY = [["", "(not graded)"], ["1", "1 — confirmed by other sources"], ["2", "2 — probably true"], ["3", "3 — possibly true"],
  ["4", "4 — doubtful"], ["5", "5 — improbable"], ["6", "6 — cannot be judged"]];

const REVERSIBLE = ["both", "adopt-only", "withdraw-only"];
const RULE_KINDS = [
  ["expr", "expression (infeasible when true)"],
  ["pattern", "Y/N/- pattern"],
  ["at_most_one", "at most one of"],
  ["exactly_one", "exactly one of"],
  ["at_least_one", "at least one of"],
];
const LIST_KINDS = new Set(["at_most_one", "exactly_one", "at_least_one"]);

// ---------------------------------------------------------------- small helpers

function isObj(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function numOrText(text) {
  const t = String(text).trim();
  if (t === "") return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

function splitNames(text) {
  return String(text).split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);
}

/** Rename a key of an object in place, keeping the order of keys. */
function renameKey(obj, oldKey, newKey) {
  if (oldKey === newKey || !newKey) return;
  const entries = Object.entries(obj);
  for (const k of Object.keys(obj)) delete obj[k];
  for (const [k, v] of entries) obj[k === oldKey ? newKey : k] = v;
}

/** A number that may be written as {value, note, provenance}. */
function numberValue(v) {
  return isObj(v) ? v.value : v;
}

function setNumber(container, key, text) {
  const t = String(text).trim();
  const n = t === "" ? undefined : Number(t);
  const value = t === "" ? undefined : Number.isFinite(n) ? n : t;
  if (isObj(container[key])) {
    if (value === undefined) delete container[key];
    else container[key].value = value;
  } else if (value === undefined) delete container[key];
  else container[key] = value;
}

function stateValue(v) {
  if (isObj(v)) return v.state ?? "";
  return v ?? "";
}

/** Strip undefined, empty strings and empty optional containers before saving. */
function clean(value) {
  if (Array.isArray(value)) return value.map(clean).filter((x) => x !== undefined);
  if (isObj(value)) {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      const c = clean(v);
      if (c === undefined || c === "") continue;
      out[k] = c;
    }
    return out;
  }
  return value;
}

// ---------------------------------------------------------------- form builder

class Form {
  constructor(editor) {
    this.ed = editor;
    this.obj = editor.obj;
  }

  changed() {
    this.ed.formChanged();
  }

  structural(focusPath) {
    this.ed.formChanged();
    this.ed.renderForm(focusPath);
  }

  field({ label, path, get, set, multiline = false, placeholder = "", help = "", type = "text", options = null, mono = false, wide = false }) {
    const id = uid("f");
    let input;
    if (options) {
      input = h("select", { id }, options.map(([value, text]) => h("option", { value, selected: String(get() ?? "") === value }, text)));
      input.addEventListener("change", () => {
        set(input.value);
        this.changed();
      });
    } else {
      const value = get();
      input = multiline
        ? h("textarea", { id, rows: 2, placeholder }, value ?? "")
        : h("input", { id, type, value: value ?? "", placeholder, autocomplete: "off", spellcheck: mono ? "false" : null, class: mono ? "mono" : null });
      input.addEventListener("input", () => {
        set(input.value);
        this.changed();
      });
    }
    input.dataset.path = path;
    return h("div", { class: ["field", wide ? "wide" : null] },
      h("label", { for: id }, label), input, help ? h("p", { class: "help" }, help) : null);
  }

  checkbox({ label, path, get, set }) {
    const id = uid("cb");
    const input = h("input", { id, type: "checkbox", checked: Boolean(get()) });
    input.dataset.path = path;
    input.addEventListener("change", () => {
      set(input.checked);
      this.changed();
    });
    return h("span", { class: "check" }, input, " ", h("label", { for: id }, label));
  }

  itemActions(list, index, path, what) {
    const move = (delta) => {
      const j = index + delta;
      if (j < 0 || j >= list.length) return;
      [list[index], list[j]] = [list[j], list[index]];
      this.structural(`${path}.${j}`);
    };
    return h("span", { class: "item-actions" },
      h("button", { type: "button", class: "btn btn-small", "aria-label": `Move ${what} ${index + 1} up`, disabled: index === 0, onClick: () => move(-1) }, "↑"),
      h("button", { type: "button", class: "btn btn-small", "aria-label": `Move ${what} ${index + 1} down`, disabled: index === list.length - 1, onClick: () => move(1) }, "↓"),
      h("button", { type: "button", class: "btn btn-small btn-danger", "aria-label": `Remove ${what} ${index + 1}`, onClick: () => {
        list.splice(index, 1);
        this.structural(path);
      } }, "✕"));
  }

  /** A provenance editor for container[key] (string or object). */
  provenance(container, key, path, sources) {
    const value = container[key];
    const summary = !value ? "no source given" : typeof value === "string" ? value
      : value.estimate ? `analyst estimate${value.note ? `: ${value.note}` : ""}` : `${value.source || "?"}${value.quote ? `: “${value.quote}”` : ""}`;
    const ensure = () => {
      if (!isObj(container[key])) {
        const old = container[key];
        container[key] = {};
        if (typeof old === "string") {
          const m = /^analyst estimate:?\s*(.*)$/i.exec(old);
          if (m) {
            container[key].estimate = true;
            if (m[1]) container[key].note = m[1];
          } else container[key].note = old;
        }
      }
      return container[key];
    };
    const set = (k, v) => {
      const p = ensure();
      if (v === "" || v === false || v === undefined) delete p[k];
      else p[k] = v;
      if (Object.keys(p).length === 0) delete container[key];
    };
    const get = (k) => (isObj(container[key]) ? container[key][k] : undefined);
    const sourceOptions = [["", "(none)"], ...sources.map((s) => [s, s])];
    if (get("source") && !sources.includes(get("source"))) sourceOptions.push([get("source"), `${get("source")} (not in sources)`]);
    return h("details", { class: "provenance", "data-path": path },
      h("summary", {}, h("span", { class: "small muted" }, `Provenance: ${summary.length > 90 ? `${summary.slice(0, 90)}…` : summary}`)),
      h("div", { class: "row-fields" },
        this.field({ label: "Source", path: `${path}.source`, get: () => get("source") ?? "", set: (v) => set("source", v), options: sourceOptions }),
        this.field({ label: "Quote", path: `${path}.quote`, get: () => get("quote") ?? "", set: (v) => set("quote", v), multiline: true }),
        this.field({ label: "Note", path: `${path}.note`, get: () => get("note") ?? "", set: (v) => set("note", v), multiline: true }),
        this.field({ label: "Credibility", path: `${path}.credibility`, get: () => String(get("credibility") ?? ""), set: (v) => set("credibility", v ? Number(v) : ""), options: CREDIBILITY })),
      this.checkbox({ label: "Analyst estimate", path: `${path}.estimate`, get: () => get("estimate"), set: (v) => set("estimate", v) }));
  }

  sources() {
    return (this.obj.sources || []).map((s) => s && s.id).filter(Boolean);
  }

  optionNames() {
    return (this.obj.decision_makers || []).flatMap((d) => (d.options || []).map((o) => o.name)).filter(Boolean);
  }

  section(title, count, body, path) {
    const id = uid("sec");
    return h("details", { class: "card form-section", open: true, "data-path": path || null },
      h("summary", { id }, title, count !== null && count !== undefined ? h("span", { class: "count" }, ` (${count})`) : null),
      body);
  }

  // ---- general
  general() {
    const o = this.obj;
    const sq = (key, label, help) => this.field({
      label, path: key, help, mono: true,
      get: () => stateValue(o[key]),
      set: (v) => {
        const value = numOrText(v);
        if (isObj(o[key])) {
          if (value === undefined) delete o[key];
          else o[key].state = value;
        } else if (value === undefined) delete o[key];
        else o[key] = value;
      },
    });
    return this.section("General", null, h("div", {},
      this.field({ label: "Title", path: "title", get: () => o.title ?? "", set: (v) => { o.title = v; } }),
      this.field({ label: "Description", path: "description", get: () => o.description ?? "", set: (v) => { o.description = v || undefined; }, multiline: true }),
      h("div", { class: "row-fields" },
        sq("status_quo", "Status quo", "A state number or a Y/N pattern, option 1 first."),
        sq("observed", "Observed outcome", "Optional: what happened, for the hypergame."))));
  }

  // ---- decision makers
  decisionMakers() {
    const o = this.obj;
    o.decision_makers = o.decision_makers || [];
    const list = o.decision_makers;
    const sources = this.sources();
    const cards = list.map((dm, i) => {
      const p = `decision_makers.${i}`;
      dm.options = dm.options || [];
      const prefs = dm.preferences;
      let kind = "prioritization";
      if (Array.isArray(prefs)) kind = "list";
      else if (isObj(prefs) && prefs.ranking) kind = "ranking";
      const optionRows = dm.options.map((opt, j) => {
        const op = `${p}.options.${j}`;
        return h("div", { class: "item-row", "data-path": op },
          h("span", { class: "item-index" }, String(j + 1)),
          h("div", { class: "inline-fields" },
            this.field({ label: "Name", path: `${op}.name`, get: () => opt.name, set: (v) => { opt.name = v; }, mono: true }),
            this.field({ label: "Label", path: `${op}.label`, get: () => opt.label ?? "", set: (v) => { opt.label = v || undefined; } }),
            this.field({ label: "Reversible", path: `${op}.reversible`, get: () => opt.reversible ?? "both", set: (v) => { opt.reversible = v === "both" ? undefined : v; }, options: REVERSIBLE.map((r) => [r, r]) })),
          this.itemActions(dm.options, j, `${p}.options`, "option"));
      });
      let prefBody;
      if (kind === "ranking") {
        prefBody = this.field({
          label: "Ranking of the states, best first ([a, b] is a tie)",
          path: `${p}.preferences.ranking`, mono: true,
          get: () => JSON.stringify(prefs.ranking).slice(1, -1).replace(/,/g, ", ").replace(/"/g, ""),
          set: (v) => {
            try {
              prefs.ranking = parseYaml(`[${v}]`);
            } catch (err) {
              prefs.ranking = v;
            }
          },
        });
      } else {
        const statements = kind === "list" ? prefs : ((dm.preferences = isObj(prefs) ? prefs : { prioritization: [] }).prioritization ||= []);
        const sp = kind === "list" ? `${p}.preferences` : `${p}.preferences.prioritization`;
        prefBody = h("div", {},
          h("p", { class: "help" }, "Most important first. A statement is an expression over option names (not, and, or, implies, iff) or a Y/N/- pattern."),
          statements.map((st, j) => {
            const stp = `${sp}.${j}`;
            const isStr = typeof st === "string";
            return h("div", { class: "item-row", "data-path": stp },
              h("span", { class: "item-index" }, String(j + 1)),
              h("div", {},
                this.field({
                  label: "Statement", path: isStr ? stp : `${stp}.statement`, mono: true,
                  get: () => (isStr ? statements[j] : st.statement),
                  set: (v) => { if (typeof statements[j] === "string") statements[j] = v; else statements[j].statement = v; },
                }),
                isStr ? null : this.field({ label: "Note", path: `${stp}.note`, get: () => st.note ?? "", set: (v) => { st.note = v || undefined; }, multiline: true }),
                isStr
                  ? h("button", { type: "button", class: "btn btn-small btn-link", onClick: () => {
                    statements[j] = { statement: statements[j] };
                    this.structural(`${stp}.note`);
                  } }, "Add a note and provenance")
                  : this.provenance(st, "provenance", `${stp}.provenance`, sources)),
              this.itemActions(statements, j, sp, "statement"));
          }),
          h("button", { type: "button", class: "btn btn-small add-row", onClick: () => {
            statements.push("");
            this.structural(`${sp}.${statements.length - 1}`);
          } }, "Add a statement"));
      }
      return h("div", { class: "subcard", "data-path": p },
        h("div", { class: "subcard-head" }, h("h3", {}, dm.label || dm.name || `Decision maker ${i + 1}`), this.itemActions(list, i, "decision_makers", "decision maker")),
        h("div", { class: "row-fields" },
          this.field({ label: "Name", path: `${p}.name`, get: () => dm.name, set: (v) => { dm.name = v; }, mono: true }),
          this.field({ label: "Label", path: `${p}.label`, get: () => dm.label ?? "", set: (v) => { dm.label = v || undefined; } })),
        this.field({ label: "Description", path: `${p}.description`, get: () => dm.description ?? "", set: (v) => { dm.description = v || undefined; }, multiline: true }),
        h("h4", {}, "Options"),
        h("div", { "data-path": `${p}.options` }, optionRows),
        h("button", { type: "button", class: "btn btn-small add-row", onClick: () => {
          dm.options.push({ name: "" });
          this.structural(`${p}.options.${dm.options.length - 1}.name`);
        } }, "Add an option"),
        h("h4", {}, "Preferences"),
        h("div", { class: "inline-fields" }, this.field({
          label: "Form", path: `${p}.preferences.form`,
          get: () => (kind === "ranking" ? "ranking" : "prioritization"),
          set: (v) => {
            if (v === "ranking" && kind !== "ranking") dm.preferences = { ranking: [] };
            if (v === "prioritization" && kind === "ranking") dm.preferences = { prioritization: [] };
            this.structural(`${p}.preferences`);
          },
          options: [["prioritization", "option prioritisation (statements)"], ["ranking", "ranking of states"]],
        })),
        h("div", { "data-path": `${p}.preferences` }, prefBody),
        this.provenance(dm, "provenance", `${p}.provenance`, sources));
    });
    return this.section("Decision makers and options", list.length, h("div", { "data-path": "decision_makers" },
      cards,
      h("button", { type: "button", class: "btn add-row", onClick: () => {
        list.push({ name: `dm${list.length + 1}`, options: [{ name: `option${list.length + 1}` }], preferences: { prioritization: [] } });
        this.structural(`decision_makers.${list.length - 1}.name`);
      } }, "Add a decision maker")), "decision_makers");
  }

  // ---- feasibility
  infeasible() {
    const o = this.obj;
    o.infeasible = o.infeasible || [];
    const list = o.infeasible;
    const rows = list.map((rule, i) => {
      const p = `infeasible.${i}`;
      const isStr = typeof rule === "string";
      const kind = isStr ? "expr" : (RULE_KINDS.find(([k]) => rule[k] !== undefined && rule[k] !== null) || ["expr"])[0];
      const valuePath = isStr ? p : `${p}.${kind}`;
      const getValue = () => {
        const v = isStr ? list[i] : list[i][kind];
        return Array.isArray(v) ? v.join(", ") : v ?? "";
      };
      const setValue = (v) => {
        const value = LIST_KINDS.has(kind) ? splitNames(v) : v;
        if (typeof list[i] === "string") list[i] = value;
        else list[i][kind] = value;
      };
      return h("div", { class: "item-row", "data-path": p },
        h("span", { class: "item-index" }, String(i + 1)),
        h("div", {},
          h("div", { class: "inline-fields" },
            this.field({
              label: "Rule", path: `${p}.kind`, get: () => kind,
              set: (k) => {
                const old = getValue();
                const base = isObj(list[i]) ? { note: list[i].note, provenance: list[i].provenance } : {};
                list[i] = { ...base, [k]: LIST_KINDS.has(k) ? splitNames(old) : old.replace(/,\s*/g, " ") };
                this.structural(`${p}.${k}`);
              },
              options: RULE_KINDS,
            }),
            this.field({
              label: LIST_KINDS.has(kind) ? "Options (comma-separated)" : kind === "pattern" ? "Pattern" : "Expression",
              path: valuePath, get: getValue, set: setValue, mono: true, wide: true,
            })),
          isStr ? null : this.field({ label: "Note", path: `${p}.note`, get: () => rule.note ?? "", set: (v) => { rule.note = v || undefined; } })),
        this.itemActions(list, i, "infeasible", "rule"));
    });
    return this.section("Feasibility rules", list.length, h("div", { "data-path": "infeasible" },
      h("p", { class: "help" }, `States that satisfy a rule are removed. Options: ${this.optionNames().join(", ") || "none yet"}.`),
      rows,
      h("button", { type: "button", class: "btn btn-small add-row", onClick: () => {
        list.push({ expr: "", note: undefined });
        this.structural(`infeasible.${list.length - 1}.expr`);
      } }, "Add a rule")), "infeasible");
  }

  // ---- scenarios
  scenarios() {
    const o = this.obj;
    o.scenarios = o.scenarios || {};
    const map = o.scenarios;
    const rows = Object.keys(map).map((name, i) => {
      const p = `scenarios.${name}`;
      const isStr = typeof map[name] === "string";
      return h("div", { class: "item-row", "data-path": p },
        h("span", { class: "item-index" }, String(i + 1)),
        h("div", { class: "inline-fields" },
          this.field({
            label: "Name", path: `${p}.name`, mono: true, get: () => name,
            set: (v) => {
              if (!v || Object.prototype.hasOwnProperty.call(map, v)) return;
              renameKey(map, name, v);
              this.structural(`scenarios.${v}.name`);
            },
          }),
          this.field({
            label: "When (expression or pattern)", path: isStr ? p : `${p}.when`, mono: true, wide: true,
            get: () => (isStr ? map[name] : map[name].when),
            set: (v) => { if (typeof map[name] === "string") map[name] = v; else map[name].when = v; },
          }),
          this.field({
            label: "Label", path: `${p}.label`,
            get: () => (isStr ? "" : map[name].label ?? ""),
            set: (v) => {
              if (typeof map[name] === "string") map[name] = { when: map[name] };
              map[name].label = v || undefined;
            },
          })),
        h("span", { class: "item-actions" }, h("button", { type: "button", class: "btn btn-small btn-danger", "aria-label": `Remove scenario ${name}`, onClick: () => {
          delete map[name];
          this.structural("scenarios");
        } }, "✕")));
    });
    return this.section("Scenarios", Object.keys(map).length, h("div", { "data-path": "scenarios" },
      h("p", { class: "help" }, "Named futures: the states in which the expression holds."),
      rows,
      h("button", { type: "button", class: "btn btn-small add-row", onClick: () => {
        let k = 1;
        while (map[`scenario_${k}`]) k += 1;
        map[`scenario_${k}`] = "";
        this.structural(`scenarios.scenario_${k}`);
      } }, "Add a scenario")), "scenarios");
  }

  // ---- perceptions
  perceptions() {
    const o = this.obj;
    const dms = (o.decision_makers || []).map((d) => d.name).filter(Boolean);
    const options = (o.decision_makers || []).flatMap((d) => (d.options || []).map((opt) => ({ name: opt.name, owner: d.name, label: opt.label || opt.name })));
    const map = o.perceptions || {};
    const unawareBoxes = (per, path, who) => h("fieldset", { class: "checks", "data-path": `${path}.unaware_of` },
      h("legend", { class: "small" }, `Options ${who} does not know exist`),
      options.filter((opt) => opt.owner !== who).map((opt) => this.checkbox({
        label: `${opt.label} (${opt.owner})`, path: `${path}.unaware_of.${opt.name}`,
        get: () => (per.unaware_of || []).includes(opt.name),
        set: (on) => {
          const set = new Set(per.unaware_of || []);
          if (on) set.add(opt.name);
          else set.delete(opt.name);
          per.unaware_of = options.map((x) => x.name).filter((n) => set.has(n));
          if (per.unaware_of.length === 0) delete per.unaware_of;
        },
      })));
    const cards = Object.keys(map).map((who) => {
      const per = map[who] || (map[who] = {});
      const p = `perceptions.${who}`;
      const about = per.about || {};
      return h("div", { class: "subcard", "data-path": p },
        h("div", { class: "subcard-head" }, h("h3", {}, `What ${who} perceives`),
          h("button", { type: "button", class: "btn btn-small btn-danger", "aria-label": `Remove the perception of ${who}`, onClick: () => {
            delete map[who];
            if (Object.keys(map).length === 0) delete o.perceptions;
            this.structural("perceptions");
          } }, "✕")),
        unawareBoxes(per, p, who),
        per.preferences ? h("p", { class: "help" }, `Beliefs about others' preferences (${Object.keys(per.preferences).join(", ")}) are kept; edit them in the YAML mode.`) : null,
        Object.keys(about).length
          ? h("div", {}, h("h4", {}, `What ${who} believes the others perceive`),
            Object.keys(about).map((other) => unawareBoxes(about[other], `${p}.about.${other}`, other)))
          : null,
        h("div", { class: "inline-fields" },
          this.field({
            label: `Add a belief of ${who} about`, path: `${p}.about.new`,
            get: () => "", set: (v) => {
              if (!v) return;
              per.about = per.about || {};
              per.about[v] = per.about[v] || { unaware_of: [] };
              this.structural(`${p}.about.${v}`);
            },
            options: [["", "(choose)"], ...dms.filter((d) => d !== who && !(per.about && per.about[d])).map((d) => [d, d])],
          })),
        this.field({ label: "Note", path: `${p}.note`, get: () => per.note ?? "", set: (v) => { per.note = v || undefined; }, multiline: true }));
    });
    return this.section("Perceptions (hypergame)", Object.keys(map).length, h("div", { "data-path": "perceptions" },
      h("p", { class: "help" }, "What a decision maker does not know. Without an entry, it sees the true game."),
      cards,
      h("div", { class: "inline-fields" }, this.field({
        label: "Add the perception of", path: "perceptions.new", get: () => "",
        set: (v) => {
          if (!v) return;
          o.perceptions = o.perceptions || {};
          o.perceptions[v] = { unaware_of: [] };
          this.structural(`perceptions.${v}`);
        },
        options: [["", "(choose a decision maker)"], ...dms.filter((d) => !map[d]).map((d) => [d, d])],
      }))), "perceptions");
  }

  // ---- issues and actors
  bargaining() {
    const o = this.obj;
    const issues = o.issues || {};
    const actors = o.actors || [];
    const names = Object.keys(issues);
    const issueRows = names.map((name) => {
      const is = issues[name] || (issues[name] = {});
      const p = `issues.${name}`;
      return h("div", { class: "subcard", "data-path": p },
        h("div", { class: "subcard-head" }, h("h4", {}, is.label || name),
          h("button", { type: "button", class: "btn btn-small btn-danger", "aria-label": `Remove issue ${name}`, onClick: () => {
            delete issues[name];
            for (const a of actors) {
              if (a.positions) delete a.positions[name];
              if (a.salience) delete a.salience[name];
            }
            this.structural("issues");
          } }, "✕")),
        h("div", { class: "row-fields" },
          this.field({ label: "Name", path: `${p}.name`, mono: true, get: () => name, set: (v) => {
            if (!v || issues[v]) return;
            renameKey(issues, name, v);
            for (const a of actors) {
              if (a.positions && name in a.positions) renameKey(a.positions, name, v);
              if (a.salience && name in a.salience) renameKey(a.salience, name, v);
            }
            this.structural(`issues.${v}.name`);
          } }),
          this.field({ label: "Label", path: `${p}.label`, get: () => is.label ?? "", set: (v) => { is.label = v || undefined; } }),
          this.field({ label: "Low end means", path: `${p}.low`, get: () => is.low ?? "", set: (v) => { is.low = v || undefined; } }),
          this.field({ label: "High end means", path: `${p}.high`, get: () => is.high ?? "", set: (v) => { is.high = v || undefined; } }),
          this.field({ label: "Reference point", path: `${p}.reference`, type: "number", get: () => numberValue(is.reference) ?? "", set: (v) => setNumber(is, "reference", v) }),
          this.field({ label: "Recorded outcome", path: `${p}.outcome`, type: "number", get: () => numberValue(is.outcome) ?? "", set: (v) => setNumber(is, "outcome", v) })));
    });
    const actorRows = actors.map((a, i) => {
      const p = `actors.${i}`;
      a.positions = a.positions || {};
      a.salience = a.salience || {};
      return h("div", { class: "subcard", "data-path": p },
        h("div", { class: "subcard-head" }, h("h4", {}, a.label || a.name || `Actor ${i + 1}`), this.itemActions(actors, i, "actors", "actor")),
        h("div", { class: "row-fields" },
          this.field({ label: "Name", path: `${p}.name`, mono: true, get: () => a.name, set: (v) => { a.name = v; } }),
          this.field({ label: "Label", path: `${p}.label`, get: () => a.label ?? "", set: (v) => { a.label = v || undefined; } }),
          this.field({
            label: "Decision maker", path: `${p}.decision_maker`, get: () => a.decision_maker ?? "",
            set: (v) => { a.decision_maker = v || undefined; },
            options: [["", "(none)"], ...(o.decision_makers || []).map((d) => [d.name, d.label || d.name])],
          }),
          this.field({ label: "Capability", path: `${p}.capability`, type: "number", get: () => numberValue(a.capability) ?? "", set: (v) => setNumber(a, "capability", v) })),
        names.length
          ? h("table", { class: "table compact" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Issue"), h("th", { scope: "col" }, "Position"), h("th", { scope: "col" }, "Salience (0–1)"))),
            h("tbody", {}, names.map((name) => h("tr", {},
              h("th", { scope: "row" }, issues[name].label || name),
              h("td", {}, this.numberCell(a.positions, name, `${p}.positions.${name}`, `Position of ${a.name} on ${name}`)),
              h("td", {}, this.numberCell(a.salience, name, `${p}.salience.${name}`, `Salience of ${name} for ${a.name}`))))))
          : null);
    });
    return this.section("Issues and actors (bargaining)", `${names.length} issues, ${actors.length} actors`, h("div", { "data-path": "issues" },
      issueRows,
      h("button", { type: "button", class: "btn btn-small add-row", onClick: () => {
        o.issues = issues;
        let k = 1;
        while (issues[`issue_${k}`]) k += 1;
        issues[`issue_${k}`] = { label: "", reference: 50 };
        this.structural(`issues.issue_${k}.name`);
      } }, "Add an issue"),
      h("div", { "data-path": "actors" }, actorRows),
      h("button", { type: "button", class: "btn btn-small add-row", onClick: () => {
        o.actors = actors;
        actors.push({ name: `actor${actors.length + 1}`, capability: 1, positions: {}, salience: {} });
        this.structural(`actors.${actors.length - 1}.name`);
      } }, "Add an actor")), "issues");
  }

  numberCell(container, key, path, label) {
    const input = h("input", { type: "number", step: "any", value: numberValue(container[key]) ?? "", "aria-label": label });
    input.dataset.path = path;
    input.addEventListener("input", () => {
      setNumber(container, key, input.value);
      this.changed();
    });
    return input;
  }

  // ---- sources
  sourcesSection() {
    const o = this.obj;
    o.sources = o.sources || [];
    const list = o.sources;
    const rows = list.map((src, i) => {
      const p = `sources.${i}`;
      return h("div", { class: "item-row", "data-path": p },
        h("span", { class: "item-index" }, String(i + 1)),
        h("div", { class: "row-fields" },
          this.field({ label: "Id", path: `${p}.id`, mono: true, get: () => src.id ?? "", set: (v) => { src.id = v; } }),
          this.field({ label: "Title", path: `${p}.title`, get: () => src.title ?? "", set: (v) => { src.title = v; } }),
          this.field({ label: "Publisher", path: `${p}.publisher`, get: () => src.publisher ?? "", set: (v) => { src.publisher = v || undefined; } }),
          this.field({ label: "Date", path: `${p}.date`, get: () => src.date ?? "", set: (v) => { src.date = v || undefined; } }),
          this.field({ label: "URL", path: `${p}.url`, get: () => src.url ?? "", set: (v) => { src.url = v || undefined; } }),
          this.field({ label: "Reliability", path: `${p}.reliability`, get: () => src.reliability ?? "", set: (v) => { src.reliability = v || undefined; }, options: RELIABILITY })),
        this.itemActions(list, i, "sources", "source"));
    });
    return this.section("Sources (provenance)", list.length, h("div", { "data-path": "sources" },
      h("p", { class: "help" }, "Documents that judgements cite: give each a provenance with a source and a quote, or mark it as an analyst estimate."),
      rows,
      h("button", { type: "button", class: "btn btn-small add-row", onClick: () => {
        list.push({ id: `source_${list.length + 1}`, title: "" });
        this.structural(`sources.${list.length - 1}.id`);
      } }, "Add a source")), "sources");
  }

  build() {
    return h("div", { class: "case-form" },
      this.general(),
      this.decisionMakers(),
      this.infeasible(),
      this.scenarios(),
      this.perceptions(),
      this.bargaining(),
      this.sourcesSection());
  }
}

// ---------------------------------------------------------------- the editor

class Editor {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.info = ctx.info;
    this.mode = "form";
    this.text = "";
    this.format = "yaml";
    this.obj = null;
    this.formDirty = false; // the form changed since this.text was written
    this.dirty = false; // unsaved changes
    this.lastReport = null;
    this.validateToken = 0;
    this.validateSoon = debounce(() => this.validate(), 300);
    this.onBeforeUnload = (ev) => {
      if (this.dirty) {
        ev.preventDefault();
        ev.returnValue = "";
      }
    };
    window.addEventListener("beforeunload", this.onBeforeUnload);
  }

  destroy() {
    this.validateSoon.cancel();
    window.removeEventListener("beforeunload", this.onBeforeUnload);
  }

  load(info) {
    this.info = info;
    this.text = info.text || "";
    this.format = info.format === "json" ? "json" : info.format === "yaml" ? "yaml" : info.format;
    this.obj = null;
    this.parseError = null;
    try {
      if (this.format === "yaml") this.obj = parseYaml(this.text);
      else if (this.format === "json") this.obj = JSON.parse(this.text);
      if (!isObj(this.obj)) throw new Error("the case is not a mapping");
    } catch (err) {
      this.obj = null;
      this.parseError = err.message;
    }
    this.mode = this.obj ? (this.ctx.params.mode === "yaml" ? "raw" : "form") : "raw";
    this.formDirty = false;
    this.dirty = false;
  }

  // ---- layout
  render() {
    const info = this.info;
    const bundled = info.source === "bundled";
    this.modeSlot = h("div", { class: "mode-slot" });
    this.saveBtn = h("button", { type: "button", class: "btn btn-primary", onClick: () => this.save() }, bundled ? "Save as a new case…" : "Save a new version");
    this.dirtyEl = h("span", { class: "editor-meta", "aria-live": "polite" });
    const versions = info.versions || [];
    const versionSelect = versions.length > 1 ? (() => {
      const id = uid("ver");
      const sel = h("select", { id }, [...versions].reverse().map((v) => h("option", { value: String(v), selected: v === info.version }, `version ${v}`)));
      sel.addEventListener("change", async () => {
        try {
          const older = await api.get(`/api/cases/${enc(this.ctx.caseId)}?version=${enc(sel.value)}`);
          this.load(older);
          this.dirty = true;
          this.render();
          this.validate();
          announce(`Loaded version ${sel.value}; saving makes it the newest version.`);
        } catch (err) {
          announce(err.message, "error");
        }
      });
      return h("span", {}, h("label", { for: id }, "Version "), sel);
    })() : null;
    this.validationPanel = h("aside", { class: "card validation", "aria-labelledby": "val-heading" },
      h("h2", { id: "val-heading" }, "Checks", h("span", { class: "val-state", id: "val-state", role: "status" }, "…")),
      h("div", { class: "val-body" }));
    this.mainSlot = h("div", { class: "editor-main" });
    mount(this.root,
      h("div", { class: "page-header" },
        h("h1", {}, "Editor"),
        h("span", { class: "editor-meta" }, `${info.id}${info.version ? `, version ${info.version}` : ""}${bundled ? " (bundled: saving makes a copy)" : ""}`),
        this.modeSlot,
        h("span", { class: "toolbar" }, versionSelect, this.dirtyEl, this.saveBtn)),
      this.parseError && this.format === "yaml"
        ? h("p", { class: "note" }, `The form cannot show this YAML (${this.parseError}); edit it in the YAML mode.`)
        : null,
      h("div", { class: "editor-grid" }, this.mainSlot, this.validationPanel));
    this.renderModeSwitch();
    this.renderMain();
  }

  renderModeSwitch() {
    const name = uid("mode");
    const make = (value, label) => {
      const id = uid("m");
      const input = h("input", { type: "radio", name, id, value, checked: this.mode === value });
      input.addEventListener("change", () => input.checked && this.switchMode(value));
      return h("span", { class: "segment" }, input, h("label", { for: id }, label));
    };
    mount(this.modeSlot, h("fieldset", { class: "segmented mode-switch" }, h("legend", {}, "Edit as"),
      make("form", "Form"), make("raw", this.format === "json" ? "JSON" : "YAML")));
  }

  switchMode(mode) {
    if (mode === this.mode) return;
    if (mode === "raw") {
      if (this.formDirty) {
        this.text = this.format === "json" ? `${JSON.stringify(clean(this.obj), null, 2)}\n` : toYaml(clean(this.obj));
        this.formDirty = false;
      }
      this.mode = "raw";
    } else {
      try {
        const v = this.format === "json" ? JSON.parse(this.text) : parseYaml(this.text);
        if (!isObj(v)) throw new Error("the case is not a mapping");
        this.obj = v;
        this.mode = "form";
      } catch (err) {
        announce(`The form cannot show this text: ${err.message}`, "error");
        this.renderModeSwitch();
        return;
      }
    }
    this.renderModeSwitch();
    this.renderMain();
    this.validate();
  }

  renderMain() {
    if (this.mode === "form") this.renderForm();
    else this.renderRaw();
  }

  renderForm(focusPath) {
    const scrollY = window.scrollY;
    this.form = new Form(this);
    this.formEl = this.form.build();
    this.generalMessages = h("div", { class: "general-messages" });
    mount(this.mainSlot, this.generalMessages, this.formEl);
    if (this.lastReport) this.showFieldMessages(this.lastReport);
    if (focusPath) {
      window.scrollTo(0, scrollY);
      const el = this.formEl.querySelector(`[data-path="${CSS.escape(focusPath)}"]`);
      const target = el && (el.matches("input, select, textarea, button") ? el : el.querySelector("input, select, textarea, button"));
      if (target) target.focus();
    }
  }

  renderRaw() {
    const id = uid("raw");
    this.gutter = h("div", { class: "raw-gutter", "aria-hidden": "true" });
    this.textarea = h("textarea", {
      id, class: "raw-text", spellcheck: "false", autocapitalize: "off", autocomplete: "off", wrap: "off",
      "aria-label": `Case text (${this.format.toUpperCase()})`, "aria-describedby": "raw-messages",
    });
    this.textarea.value = this.text;
    this.textarea.addEventListener("input", () => {
      this.text = this.textarea.value;
      this.dirty = true;
      this.updateDirty();
      this.renderGutter();
      this.setChecking();
      this.validateSoon();
    });
    this.textarea.addEventListener("scroll", () => {
      this.gutter.scrollTop = this.textarea.scrollTop;
    });
    this.textarea.addEventListener("keydown", (ev) => {
      // Tab inserts two spaces only with Ctrl/Alt-free plain Tab while editing; Escape then Tab leaves.
      if (ev.key === "Escape") {
        this.textarea.dataset.tabOut = "1";
      } else if (ev.key === "Tab" && !ev.shiftKey && !this.textarea.dataset.tabOut && !ev.ctrlKey && !ev.altKey && !ev.metaKey) {
        ev.preventDefault();
        document.execCommand("insertText", false, "  ");
      } else if (ev.key !== "Tab") {
        delete this.textarea.dataset.tabOut;
      }
    });
    this.rawMessages = h("ul", { class: "val-list raw-messages", id: "raw-messages", "aria-live": "polite" });
    mount(this.mainSlot,
      h("p", { class: "help" }, "The whole case as text. Lines with a problem are marked in the margin; the messages are listed below and beside. Tab indents; press Escape, then Tab, to leave the text box."),
      h("div", { class: "raw-editor" }, this.gutter, this.textarea),
      this.rawMessages);
    this.renderGutter();
    if (this.lastReport) this.showRawMessages(this.lastReport);
  }

  renderGutter() {
    if (!this.gutter) return;
    const count = this.text.split("\n").length;
    const marks = this.lineMarks || new Map();
    const frag = document.createDocumentFragment();
    for (let i = 1; i <= count; i += 1) {
      const mark = marks.get(i);
      const div = document.createElement("div");
      div.textContent = String(i);
      if (mark) {
        div.className = mark.kind === "error" ? "line-bad" : "line-warn";
        div.title = mark.message;
      }
      frag.append(div);
    }
    this.gutter.replaceChildren(frag);
    this.gutter.scrollTop = this.textarea ? this.textarea.scrollTop : 0;
  }

  gotoLine(line) {
    if (!this.textarea) return;
    const lines = this.text.split("\n");
    let offset = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i += 1) offset += lines[i].length + 1;
    const end = offset + (lines[line - 1] || "").length;
    this.textarea.focus();
    this.textarea.setSelectionRange(offset, end);
    const lineHeight = 19;
    this.textarea.scrollTop = Math.max(0, (line - 5) * lineHeight);
  }

  // ---- editing
  formChanged() {
    this.formDirty = true;
    this.dirty = true;
    this.updateDirty();
    this.setChecking();
    this.validateSoon();
  }

  updateDirty() {
    if (this.dirtyEl) this.dirtyEl.textContent = this.dirty ? "Unsaved changes" : "";
  }

  payload() {
    if (this.mode === "form") {
      const obj = clean(this.obj);
      return { text: JSON.stringify(obj), format: "json", obj };
    }
    return { text: this.text, format: this.format };
  }

  setChecking() {
    const el = this.validationPanel && this.validationPanel.querySelector("#val-state");
    if (el) {
      el.textContent = "checking…";
      el.className = "val-state";
    }
  }

  async validate() {
    const token = ++this.validateToken;
    const { text, format } = this.payload();
    this.setChecking();
    let report;
    try {
      report = await api.post("/api/validate", { text, format });
    } catch (err) {
      if (token !== this.validateToken) return;
      report = { ok: false, errors: [{ message: err.message, path: (err.loc || []).join("."), loc: err.loc || [], line: err.line, hint: err.hint }], warnings: [] };
    }
    if (token !== this.validateToken) return;
    this.showReport(report);
  }

  showReport(report) {
    this.lastReport = report;
    const errors = report.errors || [];
    const warnings = report.warnings || [];
    const stateEl = this.validationPanel.querySelector("#val-state");
    stateEl.textContent = errors.length ? `✗ ${errors.length} problem${errors.length === 1 ? "" : "s"}` : "✓ no problems";
    stateEl.className = `val-state ${errors.length ? "val-bad" : "val-ok"}`;
    const body = this.validationPanel.querySelector(".val-body");
    const item = (e, kind) => {
      const where = [];
      if (e.line) where.push(`line ${e.line}`);
      if (e.path) where.push(e.path);
      const li = h("li", { class: kind },
        h("span", {}, e.message),
        e.hint ? h("span", { class: "hint small" }, ` ${e.hint}`) : null,
        where.length ? h("button", { type: "button", class: "linklike where", onClick: () => this.reveal(e) }, where.join(" · ")) : null);
      return li;
    };
    const summary = report.summary;
    const audit = report.audit;
    mount(body,
      errors.length ? h("ul", { class: "val-list" }, errors.map((e) => item(e, "error"))) : h("p", { class: "val-ok small" }, "The case is valid."),
      summary ? h("dl", { class: "kv" },
        h("dt", {}, "Decision makers"), h("dd", {}, String(summary.decision_makers ?? "–")),
        h("dt", {}, "Options"), h("dd", {}, String(summary.options ?? "–")),
        h("dt", {}, "Feasible states"), h("dd", {}, String(summary.states ?? "–")),
        h("dt", {}, "Status quo"), h("dd", {}, summary.status_quo ? `state ${summary.status_quo}` : "–"),
        h("dt", {}, "Issues / actors"), h("dd", {}, `${summary.issues ?? 0} / ${summary.actors ?? 0}`)) : null,
      audit ? h("div", { class: "audit" },
        h("h3", {}, "Provenance"),
        h("p", {}, `${audit.cited} judgements cite a source, ${audit.estimates} are analyst estimates, ${audit.missing} have none.`),
        audit.missing ? h("details", {}, h("summary", {}, "Judgements without provenance"),
          h("ul", { class: "small" }, (audit.missing_at || []).slice(0, 60).map((m) => h("li", {}, m)))) : null) : null,
      warnings.length ? h("details", { open: warnings.length <= 5 }, h("summary", {}, `${warnings.length} warning${warnings.length === 1 ? "" : "s"}`),
        h("ul", { class: "val-list" }, warnings.slice(0, 100).map((w) => item(w, "warning")))) : null);
    if (this.mode === "form") this.showFieldMessages(report);
    else this.showRawMessages(report);
  }

  reveal(e) {
    if (this.mode === "raw") {
      if (e.line) this.gotoLine(e.line);
      return;
    }
    const el = this.fieldFor(e.path || "");
    if (el) {
      const target = el.matches("input, select, textarea") ? el : el.querySelector("input, select, textarea, summary");
      const details = el.closest("details");
      if (details) details.open = true;
      (target || el).focus();
      (target || el).scrollIntoView({ block: "center" });
    }
  }

  /** The form element for a path, or for the nearest enclosing path the form shows. */
  fieldFor(path) {
    if (!this.formEl) return null;
    const parts = String(path).split(".").filter((p) => p !== "");
    while (parts.length) {
      const el = this.formEl.querySelector(`[data-path="${CSS.escape(parts.join("."))}"]`);
      if (el) return el;
      parts.pop();
    }
    return null;
  }

  showFieldMessages(report) {
    if (!this.formEl) return;
    for (const el of this.formEl.querySelectorAll(".field-msg")) el.remove();
    for (const el of this.formEl.querySelectorAll("[aria-invalid]")) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    }
    for (const el of this.formEl.querySelectorAll(".has-error")) el.classList.remove("has-error");
    const general = [];
    for (const e of report.errors || []) {
      const el = e.path ? this.fieldFor(e.path) : null;
      if (!el) {
        general.push(e);
        continue;
      }
      const msgId = uid("msg");
      const msg = h("p", { class: "field-msg", id: msgId, role: "alert" }, e.message, e.hint ? h("span", { class: "hint" }, e.hint) : null);
      if (el.matches("input, select, textarea")) {
        el.setAttribute("aria-invalid", "true");
        el.setAttribute("aria-describedby", msgId);
        el.closest(".field, .check, td") ? el.closest(".field, .check, td").append(msg) : el.after(msg);
      } else if (el.tagName === "DETAILS") {
        el.open = true;
        el.append(msg);
      } else {
        el.classList.add("has-error");
        el.prepend(msg);
      }
    }
    mount(this.generalMessages, general.length
      ? h("div", { class: "error-box", role: "alert" }, h("p", { class: "error-title" }, "Problems with the case as a whole"),
        h("ul", {}, general.map((e) => h("li", {}, e.message, e.hint ? h("span", { class: "hint" }, ` ${e.hint}`) : null))))
      : null);
  }

  showRawMessages(report) {
    this.lineMarks = new Map();
    for (const w of report.warnings || []) if (w.line) this.lineMarks.set(w.line, { kind: "warning", message: w.message });
    for (const e of report.errors || []) if (e.line) this.lineMarks.set(e.line, { kind: "error", message: e.message });
    this.renderGutter();
    if (this.textarea) {
      if ((report.errors || []).length) this.textarea.setAttribute("aria-invalid", "true");
      else this.textarea.removeAttribute("aria-invalid");
    }
    if (!this.rawMessages) return;
    mount(this.rawMessages, (report.errors || []).map((e) => h("li", { class: "error", dataset: { line: e.line ?? "" } },
      e.line ? h("button", { type: "button", class: "linklike", onClick: () => this.gotoLine(e.line), "aria-label": `Go to line ${e.line}` }, `Line ${e.line}`) : null,
      e.line ? ": " : "",
      e.message, e.hint ? h("span", { class: "hint" }, ` ${e.hint}`) : null)));
  }

  // ---- saving
  async save() {
    const { text, format, obj } = this.payload();
    // Save YAML (readable, with comments kept in the YAML mode).
    let saveText = text;
    let saveFormat = format;
    if (this.mode === "form" && this.format !== "json") {
      saveText = toYaml(obj);
      saveFormat = "yaml";
    }
    const bundled = this.info.source === "bundled";
    this.saveBtn.disabled = true;
    try {
      if (bundled) {
        const values = await dialog({
          title: "Save as a new case",
          body: "Bundled cases cannot be changed; the edited case is saved as a case of your own.",
          fields: [{ name: "name", label: "Name", value: `${this.info.name}-edited`, required: true, pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]{0,79}" }],
          submitLabel: "Save",
        });
        if (!values) return;
        const res = await api.post("/api/cases", { name: values.name, text: saveText, format: saveFormat });
        this.dirty = false;
        announce(`Saved as ${res.id}, version ${res.version}.`);
        window.location.hash = caseHref(res.id, "edit");
        return;
      }
      const res = await api.put(`/api/cases/${enc(this.ctx.caseId)}`, { text: saveText, format: saveFormat });
      forgetCase(this.ctx.caseId);
      forgetCaseInfo(this.ctx.caseId);
      const info = await getCaseInfo(this.ctx.caseId, true);
      this.ctx.info = info;
      this.dirty = false;
      const mode = this.mode;
      this.load(info);
      this.mode = this.obj ? mode : "raw";
      this.render();
      this.validate();
      announce(`Saved version ${res.version}.`);
    } catch (err) {
      if (err instanceof ApiError && err.body && Array.isArray(err.body.errors)) {
        this.showReport({ ok: false, errors: err.body.errors, warnings: [] });
      }
      announce(`Not saved: ${err.message}`, "error");
    } finally {
      this.saveBtn.disabled = false;
    }
  }
}

export async function render(root, ctx) {
  if (!ctx.info) {
    mount(root, errorBox(new Error("No case.")));
    return undefined;
  }
  const editor = new Editor(root, ctx);
  editor.load(ctx.info);
  editor.render();
  editor.validate();
  return () => editor.destroy();
}
