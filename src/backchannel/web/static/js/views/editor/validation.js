// Case editor: showing what POST /api/validate found, in the checks panel,
// beside the form field each problem names, or at the line it names in the
// YAML mode. Methods of the Editor (editor.js).
import { h, mount, uid } from "../../dom.js";

export const validationDisplay = {
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
      if (e.line && this.mode === "raw") where.push(`line ${e.line}`); // the form checks one-line JSON
      if (e.path) where.push(e.path);
      const li = h("li", { class: kind },
        h("span", {}, e.message),
        e.hint ? h("span", { class: "hint small" }, ` ${e.hint}`) : null,
        where.length ? h("button", { type: "button", class: "linklike where", "aria-label": `Go to the problem: ${e.message}`, onClick: () => this.reveal(e) }, where.join(" · ")) : null);
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
  },

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
  },

  /** The form element for a path, or for the nearest enclosing path the form shows. */
  fieldFor(path) {
    if (!this.formEl) return null;
    let parts = String(path).split(".").filter((p) => p !== "");
    // preferences written as a bare list of statements: the form's paths have no "prioritization"
    const k = parts.indexOf("prioritization");
    if (k > 0 && parts[k - 1] === "preferences" && !this.formEl.querySelector(`[data-path="${CSS.escape(parts.slice(0, k + 1).join("."))}"]`)) {
      parts = [...parts.slice(0, k), ...parts.slice(k + 1)];
    }
    while (parts.length) {
      const sel = `[data-path="${CSS.escape(parts.join("."))}"]`;
      // the input itself rather than the row that holds it (a row is a grid: a message
      // prepended to it would squeeze into its narrow first column)
      const el = this.formEl.querySelector(`input${sel}, select${sel}, textarea${sel}`) || this.formEl.querySelector(sel);
      if (el) return el;
      parts.pop();
    }
    return null;
  },

  showFieldMessages(report) {
    if (!this.formEl) return;
    for (const el of this.formEl.querySelectorAll(".field-msg")) el.remove();
    for (const el of this.formEl.querySelectorAll("[aria-invalid]")) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    }
    for (const el of this.formEl.querySelectorAll(".has-error")) el.classList.remove("has-error");
    const general = [];
    const shown = new Set(); // one message per field, however many problems name it
    for (const e of report.errors || []) {
      if (e.path && shown.has(e.path)) continue;
      if (e.path) shown.add(e.path);
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
  },

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
  },
};
