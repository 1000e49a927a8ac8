// Case editor: the structured form, one section per part of the case. Every
// change goes back to the editor (formChanged), which checks the case.
import { h, uid, dialog, announce } from "../../dom.js";
import { parseYaml } from "../../yaml.js";
import { isObj, numOrText, splitNames, renameKey, numberValue, setNumber, stateValue, countOptionUses, renameOptionUses } from "./helpers.js";

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

// ---------------------------------------------------------------- form builder

export class Form {
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

  /** An option's name; renaming it offers to rename it in every statement, rule and scenario. */
  optionNameField(opt, path) {
    const el = this.field({ label: "Name", path, get: () => opt.name, set: (v) => { opt.name = v; }, mono: true });
    const input = el.querySelector("input");
    let before = opt.name;
    input.addEventListener("focus", () => { before = opt.name; });
    input.addEventListener("change", async () => {
      const from = before;
      const to = opt.name;
      before = to;
      const uses = countOptionUses(this.obj, from);
      if (!from || !to || from === to || !uses) return;
      const ok = await dialog({
        title: `Rename “${from}” everywhere?`,
        body: `“${from}” is used in ${uses} statement${uses === 1 ? "" : "s"}, rule${uses === 1 ? "" : "s"} or scenario${uses === 1 ? "" : "s"}. Rename it to “${to}” there too? Otherwise they name an option that no longer exists.`,
        submitLabel: `Rename in ${uses} place${uses === 1 ? "" : "s"}`,
      });
      if (!ok) return;
      const n = renameOptionUses(this.obj, from, to);
      announce(`Renamed “${from}” to “${to}” in ${n} place${n === 1 ? "" : "s"}.`);
      this.structural(path);
    });
    return el;
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
            this.optionNameField(opt, `${op}.name`),
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
