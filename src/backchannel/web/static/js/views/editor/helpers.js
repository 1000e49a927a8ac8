// Case editor: small helpers shared by the form and the editor (values as the
// case file writes them, and cleaning a case before it is saved).
// ---------------------------------------------------------------- small helpers

export function isObj(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function numOrText(text) {
  const t = String(text).trim();
  if (t === "") return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

export function splitNames(text) {
  return String(text).split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);
}

/** Rename a key of an object in place, keeping the order of keys. */
export function renameKey(obj, oldKey, newKey) {
  if (oldKey === newKey || !newKey) return;
  const entries = Object.entries(obj);
  for (const k of Object.keys(obj)) delete obj[k];
  for (const [k, v] of entries) obj[k === oldKey ? newKey : k] = v;
}

/** A number that may be written as {value, note, provenance}. */
export function numberValue(v) {
  return isObj(v) ? v.value : v;
}

export function setNumber(container, key, text) {
  const t = String(text).trim();
  const n = t === "" ? undefined : Number(t);
  const value = t === "" ? undefined : Number.isFinite(n) ? n : t;
  if (isObj(container[key])) {
    if (value === undefined) delete container[key];
    else container[key].value = value;
  } else if (value === undefined) delete container[key];
  else container[key] = value;
}

export function stateValue(v) {
  if (isObj(v)) return v.state ?? "";
  return v ?? "";
}

/** Strip undefined, empty strings and empty optional containers before saving. */
export function clean(value) {
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

// ---------------------------------------------------------------- renaming an option

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Every place (statement, rule, scenario, perception) where `name` is used as an option name. */
function optionUses(obj, name, rename) {
  const word = new RegExp(`(?<![A-Za-z0-9_])${escapeRe(name)}(?![A-Za-z0-9_])`, "g");
  let count = 0;
  const expr = (text) => {
    if (typeof text !== "string" || !word.test(text)) return text;
    word.lastIndex = 0;
    count += 1;
    return rename === undefined ? text : text.replace(word, rename);
  };
  const names = (list) => (Array.isArray(list) ? list.map((n) => {
    if (n !== name) return n;
    count += 1;
    return rename === undefined ? n : rename;
  }) : list);
  const statements = (list) => {
    if (!Array.isArray(list)) return;
    list.forEach((st, j) => {
      if (typeof st === "string") list[j] = expr(st);
      else if (isObj(st)) {
        if (typeof st.statement === "string") st.statement = expr(st.statement);
        else if (typeof st.condition === "string") st.condition = expr(st.condition);
      }
    });
  };
  const prefs = (p) => {
    if (Array.isArray(p)) return statements(p);
    if (!isObj(p)) return;
    statements(p.prioritization);
    for (const alt of p.alternatives || []) if (isObj(alt)) statements(alt.prioritization);
  };
  for (const dm of obj.decision_makers || []) if (isObj(dm)) prefs(dm.preferences);
  (obj.infeasible || []).forEach((rule, r) => {
    if (typeof rule === "string") obj.infeasible[r] = expr(rule);
    else if (isObj(rule)) {
      if (typeof rule.expr === "string") rule.expr = expr(rule.expr);
      for (const k of ["at_most_one", "exactly_one", "at_least_one"]) if (Array.isArray(rule[k])) rule[k] = names(rule[k]);
    }
  });
  for (const [k, sc] of Object.entries(obj.scenarios || {})) {
    if (typeof sc === "string") obj.scenarios[k] = expr(sc);
    else if (isObj(sc) && typeof sc.when === "string") sc.when = expr(sc.when);
  }
  for (const per of Object.values(obj.perceptions || {})) {
    if (!isObj(per)) continue;
    if (Array.isArray(per.unaware_of)) per.unaware_of = names(per.unaware_of);
    for (const p of Object.values(per.preferences || {})) prefs(p);
    for (const nested of Object.values(per.about || {})) {
      if (!isObj(nested)) continue;
      if (Array.isArray(nested.unaware_of)) nested.unaware_of = names(nested.unaware_of);
      for (const p of Object.values(nested.preferences || {})) prefs(p);
    }
  }
  return count;
}

/** How many statements, rules, scenarios and perceptions use option `name`. */
export function countOptionUses(obj, name) {
  return name ? optionUses(obj, name, undefined) : 0;
}

/** Rename option `from` to `to` wherever it is used; returns how many places changed. */
export function renameOptionUses(obj, from, to) {
  return from && to && from !== to ? optionUses(obj, from, to) : 0;
}
