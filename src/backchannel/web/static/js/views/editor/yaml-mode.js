// Case editor: the YAML (or JSON) mode, the whole case as text with the lines
// that have a problem marked in a gutter. Methods of the Editor (editor.js).
import { h, mount, uid } from "../../dom.js";

export const yamlMode = {
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
  },

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
  },

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
  },
};
