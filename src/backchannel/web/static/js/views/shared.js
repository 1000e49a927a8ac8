// Helpers shared by several views.
import { api, enc, cached } from "../api.js";
import { caseKey } from "../common.js";
import { parseYaml } from "../yaml.js";

/** The case as a plain object (for labels, issue ends, positions). */
export async function caseObject(ctx) {
  return cached(`object${caseKey(ctx)}`, async () => {
    const info = ctx.info || {};
    if (typeof info.text === "string") {
      try {
        if (info.format === "yaml") return parseYaml(info.text);
        if (info.format === "json") return JSON.parse(info.text);
      } catch (err) {
        // fall through to the server's conversion
      }
    }
    const data = await api.get(`/api/cases/${enc(ctx.caseId)}/export?format=json`);
    return typeof data === "string" ? JSON.parse(data) : data;
  });
}

export function dmLabels(obj) {
  const out = {};
  for (const dm of (obj && obj.decision_makers) || []) {
    if (dm && dm.name) out[dm.name] = dm.label || dm.name;
  }
  return out;
}

export function optionLabels(obj) {
  const out = {};
  for (const dm of (obj && obj.decision_makers) || []) {
    for (const opt of dm.options || []) if (opt && opt.name) out[opt.name] = opt.label || opt.name;
  }
  return out;
}
