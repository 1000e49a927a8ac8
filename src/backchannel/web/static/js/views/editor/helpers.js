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
