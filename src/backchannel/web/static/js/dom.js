// Small DOM helpers: build elements without innerHTML (safe against markup in
// case text) and without inline styles (the page runs under a strict CSP).

const SVG_NS = "http://www.w3.org/2000/svg";

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

function setAttrs(el, attrs, isSvg) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") {
      el.setAttribute("class", Array.isArray(value) ? value.filter(Boolean).join(" ") : value);
    } else if (key === "dataset") {
      for (const [k, v] of Object.entries(value)) el.dataset[k] = v;
    } else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "text") {
      el.textContent = value;
    } else if (!isSvg && (key === "value" || key === "checked" || key === "selected" || key === "disabled")) {
      el[key] = value;
      if (key === "disabled" || key === "checked" || key === "selected") {
        if (value) el.setAttribute(key, "");
      }
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
}

/** h("button", {class: "btn", onClick: fn}, "Label") */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs, false);
  append(el, children);
  return el;
}

/** s("circle", {cx: 1, cy: 2, r: 3}) — an SVG element */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs, true);
  append(el, children);
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function mount(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

let idCounter = 0;
export function uid(prefix = "id") {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** Make a non-button element act like a button for keyboard users. */
export function clickable(el, handler, label) {
  el.setAttribute("tabindex", "0");
  el.setAttribute("role", "button");
  if (label) el.setAttribute("aria-label", label);
  el.addEventListener("click", handler);
  el.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      handler(ev);
    }
  });
  return el;
}

export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

export function fmt(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(digits);
}

export function pct(p, digits = 0) {
  if (p === null || p === undefined || Number.isNaN(p)) return "–";
  return `${(p * 100).toFixed(digits)} %`;
}

/** Announce a message to screen readers and show it in the status bar. */
let announceTimer = null;
export function announce(message, kind = "info") {
  const bar = document.getElementById("status");
  if (!bar) return;
  bar.textContent = message;
  bar.className = `status status-${kind}`;
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    bar.textContent = "";
  }, kind === "error" ? 12000 : 6000);
}

/** A modal dialog built on <dialog>; resolves with the submitted values or null. */
export function dialog({ title, body, fields = [], submitLabel = "OK", danger = false }) {
  return new Promise((resolve) => {
    const inputs = {};
    const form = h("form", { method: "dialog", class: "dialog-form" },
      h("h2", { class: "dialog-title" }, title),
      body ? h("p", {}, body) : null,
      fields.map((f) => {
        const id = uid("dlg");
        const input = h("input", {
          id, type: f.type || "text", value: f.value ?? "", required: f.required ?? false,
          pattern: f.pattern, autocomplete: "off",
          ...(f.attrs || {}),
        });
        inputs[f.name] = input;
        return h("div", { class: "field" }, h("label", { for: id }, f.label), input,
          f.help ? h("p", { class: "help" }, f.help) : null);
      }),
      h("div", { class: "dialog-actions" },
        h("button", { type: "button", class: "btn", value: "cancel", onClick: () => dlg.close("cancel") }, "Cancel"),
        h("button", { type: "submit", class: danger ? "btn btn-danger" : "btn btn-primary", value: "ok" }, submitLabel)),
    );
    const dlg = h("dialog", { class: "dialog", "aria-label": title }, form);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (!form.reportValidity()) return;
      dlg.close("ok");
    });
    dlg.addEventListener("close", () => {
      const ok = dlg.returnValue === "ok";
      const values = {};
      for (const [k, input] of Object.entries(inputs)) values[k] = input.value;
      dlg.remove();
      resolve(ok ? values : null);
    });
    document.body.append(dlg);
    dlg.showModal();
    const first = Object.values(inputs)[0];
    if (first) first.focus();
  });
}
