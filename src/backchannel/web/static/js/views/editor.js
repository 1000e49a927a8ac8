// Case editor: a structured form and a raw YAML mode over the same case,
// both checked by POST /api/validate as the user types (300 ms after the
// last keystroke). Each problem is shown beside the field it names (form)
// or the line it names (YAML). Saving makes a new version.
import { api, enc, forgetCase, ApiError } from "../api.js";
import { h, mount, uid, debounce, announce, dialog } from "../dom.js";
import { caseHref, errorBox, forgetCaseInfo, getCaseInfo } from "../common.js";
import { setLeaveGuard } from "../guard.js";
import { parseYaml, updateYaml } from "../yaml.js";
import { isObj, clean } from "./editor/helpers.js";
import { Form } from "./editor/form.js";
import { yamlMode } from "./editor/yaml-mode.js";
import { validationDisplay } from "./editor/validation.js";

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
    // every navigation inside the workbench asks too (app.js), and Ctrl+S (⌘S) saves
    this.removeGuard = setLeaveGuard(() => this.dirty);
    this.onKeyDown = (ev) => {
      if ((ev.ctrlKey || ev.metaKey) && !ev.altKey && !ev.shiftKey && ev.key.toLowerCase() === "s") {
        ev.preventDefault();
        if (this.saveBtn && !this.saveBtn.disabled) this.save();
      }
    };
    document.addEventListener("keydown", this.onKeyDown);
  }

  destroy() {
    this.validateSoon.cancel();
    window.removeEventListener("beforeunload", this.onBeforeUnload);
    document.removeEventListener("keydown", this.onKeyDown);
    this.removeGuard();
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
      const latest = versions[versions.length - 1];
      const cmp = h("a", { class: "btn btn-small", href: `#/compare?case=${enc(this.ctx.caseId)}&va=${enc(versions[versions.length - 2])}&vb=${enc(latest)}` }, "Compare versions");
      return h("span", {}, h("label", { for: id }, "Version "), sel, " ", cmp);
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
        this.text = this.format === "json" ? `${JSON.stringify(clean(this.obj), null, 2)}\n` : updateYaml(this.text, clean(this.obj));
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

  // ---- saving
  async save() {
    const { text, format, obj } = this.payload();
    // Save YAML (readable, with comments kept in the YAML mode).
    let saveText = text;
    let saveFormat = format;
    if (this.mode === "form" && this.format !== "json") {
      saveText = updateYaml(this.text, obj); // the user's comments are kept
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

// The YAML mode and the display of the checks are methods of the editor kept in
// their own modules.
Object.assign(Editor.prototype, yamlMode, validationDisplay);

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
