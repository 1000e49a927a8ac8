// A small YAML reader and writer for case files, so that the structured form
// and the raw YAML mode can edit the same case. It covers what case files use:
// block mappings and sequences, flow collections, plain / quoted / block
// scalars, comments. Anchors, aliases and tags are refused with a message
// (the raw mode still works: the server reads full YAML).
// Scalars are resolved as PyYAML does (YAML 1.1: yes/no/on/off are booleans).

export class YamlError extends Error {
  constructor(message, line) {
    super(line ? `line ${line}: ${message}` : message);
    this.line = line;
  }
}

const NULL_RE = /^(?:~|null|Null|NULL)?$/;
const BOOL_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const BOOL_FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const INT_RE = /^[-+]?(?:0|[1-9][0-9_]*)$/;
const FLOAT_RE = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?$/;
const SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
// Other forms PyYAML would not read as a string: never write them plain.
const OTHER_TYPED = /^(?:[-+]?0[0-7_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?0b[01_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?|=|<<)$/;

function resolvePlain(text) {
  if (NULL_RE.test(text)) return null;
  if (BOOL_TRUE.test(text)) return true;
  if (BOOL_FALSE.test(text)) return false;
  if (INT_RE.test(text)) return Number(text.replace(/_/g, ""));
  if (FLOAT_RE.test(text) && /[0-9]/.test(text)) return Number(text.replace(/_/g, ""));
  if (SPECIAL_FLOAT.test(text)) {
    if (/nan/i.test(text)) return NaN;
    return text.startsWith("-") ? -Infinity : Infinity;
  }
  return text;
}

function indentOf(line) {
  let i = 0;
  while (i < line.length && line[i] === " ") i += 1;
  return i;
}

function isBlank(line) {
  const t = line.trim();
  return t === "" || t.startsWith("#");
}

/** Strip a trailing comment from a plain (unquoted) piece of text. */
function stripComment(text) {
  const m = /(^|\s)#/.exec(text);
  return (m ? text.slice(0, m.index) : text).trimEnd();
}

const ESCAPES = { "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", N: "\x85", _: "\xa0", L: "\u2028", P: "\u2029" };

class Reader {
  constructor(text) {
    this.lines = text.replace(/\r\n?/g, "\n").split("\n");
    this.pos = 0;
  }

  lineNo() {
    return this.pos + 1;
  }

  fail(message) {
    throw new YamlError(message, Math.min(this.pos + 1, this.lines.length));
  }

  skipBlank() {
    while (this.pos < this.lines.length && isBlank(this.lines[this.pos])) this.pos += 1;
  }

  peek() {
    this.skipBlank();
    return this.pos < this.lines.length ? this.lines[this.pos] : null;
  }

  parseDocument() {
    this.skipBlank();
    if (this.pos < this.lines.length && /^---(\s|$)/.test(this.lines[this.pos])) {
      const rest = this.lines[this.pos].slice(3).trim();
      if (rest && !rest.startsWith("#")) this.lines[this.pos] = rest;
      else this.pos += 1;
    }
    const line = this.peek();
    if (line === null) return null;
    const value = this.parseBlock(-1);
    const after = this.peek();
    if (after !== null && !/^\.\.\.(\s|$)/.test(after)) this.fail("unexpected text (is the indentation right?)");
    return value;
  }

  /** A block node whose lines are indented more than parentIndent. */
  parseBlock(parentIndent) {
    const line = this.peek();
    if (line === null) return null;
    const ind = indentOf(line);
    if (ind <= parentIndent) return null;
    const content = line.slice(ind);
    if (/^-(\s|$)/.test(content)) return this.parseSeq(ind);
    if (this.keyOf(content)) return this.parseMap(ind);
    return this.parseScalarLine(content, parentIndent);
  }

  /** If content starts with a mapping key, return {key, rest}. */
  keyOf(content) {
    let m;
    if (content[0] === '"') {
      m = /^"((?:[^"\\]|\\.)*)"\s*:(?:\s+|$)/.exec(content);
      if (m) return { key: this.unescapeDouble(m[1]), rest: content.slice(m[0].length) };
      return null;
    }
    if (content[0] === "'") {
      m = /^'((?:[^']|'')*)'\s*:(?:\s+|$)/.exec(content);
      if (m) return { key: m[1].replace(/''/g, "'"), rest: content.slice(m[0].length) };
      return null;
    }
    if (/^[[{#|>&*!%@`]/.test(content)) return null;
    m = /^([^#]*?)\s*:(?:\s+|$)/.exec(content);
    if (!m || m[1] === "" ) return null;
    if (m[1] === "?" ) this.fail("complex mapping keys (?) are not supported here");
    return { key: m[1], rest: content.slice(m[0].length) };
  }

  parseMap(ind) {
    const out = {};
    for (;;) {
      const line = this.peek();
      if (line === null) break;
      const lineInd = indentOf(line);
      if (lineInd < ind) break;
      if (lineInd > ind) this.fail("unexpected indentation");
      const content = line.slice(ind);
      if (/^-(\s|$)/.test(content)) break; // a sequence at the same level ends the mapping
      const kv = this.keyOf(content);
      if (!kv) this.fail("expected 'key: value'");
      if (Object.prototype.hasOwnProperty.call(out, kv.key)) this.fail(`duplicate key '${kv.key}'`);
      this.pos += 1;
      out[kv.key] = this.parseValue(kv.rest, ind, true);
    }
    return out;
  }

  parseSeq(ind) {
    const out = [];
    for (;;) {
      const line = this.peek();
      if (line === null) break;
      const lineInd = indentOf(line);
      if (lineInd < ind) break;
      if (lineInd > ind) this.fail("unexpected indentation");
      const content = line.slice(ind);
      if (!/^-(\s|$)/.test(content)) break;
      const after = content.slice(1);
      const pad = indentOf(after);
      const rest = after.slice(pad);
      if (rest === "" || rest.startsWith("#")) {
        this.pos += 1;
        const next = this.peek();
        out.push(next !== null && indentOf(next) > ind ? this.parseBlock(ind) : null);
      } else {
        // Re-read the item's content as a block indented at its own column.
        this.lines[this.pos] = " ".repeat(ind + 1 + pad) + rest;
        out.push(this.parseBlock(ind));
      }
    }
    return out;
  }

  /** The value after "key:" (rest of the line), for a key at indent ind. */
  parseValue(rest, ind, inMap) {
    const text = rest.trim();
    if (text === "" || text.startsWith("#")) {
      const next = this.peek();
      if (next === null) return null;
      const nInd = indentOf(next);
      if (nInd > ind) return this.parseBlock(ind);
      if (inMap && nInd === ind && /^-(\s|$)/.test(next.slice(nInd))) return this.parseSeq(ind);
      return null;
    }
    if (/^[|>]/.test(text)) return this.parseBlockScalar(text, ind);
    return this.parseInline(text, ind);
  }

  /** A scalar or flow node starting on the current line (already consumed by the caller or not). */
  parseScalarLine(content, parentIndent) {
    this.pos += 1;
    if (/^[|>]/.test(content)) return this.parseBlockScalar(content.trim(), parentIndent);
    return this.parseInline(content.trim(), parentIndent);
  }

  parseInline(text, ind) {
    if (/^[&*!]/.test(text)) this.fail("anchors, aliases and tags are not supported in the form; use the YAML mode");
    if (text[0] === "[" || text[0] === "{") return this.parseFlowText(text, ind);
    if (text[0] === '"' || text[0] === "'") return this.parseQuoted(text, ind);
    // A plain scalar, possibly continued on more-indented lines.
    let value = stripComment(text);
    if (/:\s/.test(value) || value.endsWith(":")) this.fail("a value cannot contain ': ' unless quoted");
    const parts = [value];
    let breaks = 0;
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos];
      if (line.trim() === "") {
        breaks += 1;
        this.pos += 1;
        continue;
      }
      if (indentOf(line) <= ind || line.trim().startsWith("#")) break;
      const t = stripComment(line.trim());
      if (this.keyOf(t) || /^-\s/.test(t)) break;
      parts.push(breaks ? "\n".repeat(breaks) : " ");
      parts.push(t);
      breaks = 0;
      this.pos += 1;
    }
    value = parts.join("");
    return parts.length > 1 ? value : resolvePlain(value);
  }

  unescapeDouble(body) {
    return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e) => {
      if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
      if (e in ESCAPES) return ESCAPES[e];
      this.fail(`unknown escape \\${e}`);
      return e;
    });
  }

  /** A quoted scalar that may span lines (folded). Consumes the lines it uses. */
  parseQuoted(text, ind) {
    const quote = text[0];
    let buf = text.slice(1);
    const startLine = this.pos; // the line after the one holding the opening quote
    const segments = [];
    for (;;) {
      const end = quote === '"' ? findDoubleEnd(buf) : findSingleEnd(buf);
      if (end >= 0) {
        segments.push(buf.slice(0, end));
        const after = buf.slice(end + 1).trim();
        if (after && !after.startsWith("#")) this.fail("unexpected text after the closing quote");
        break;
      }
      segments.push(buf);
      if (this.pos >= this.lines.length) {
        this.pos = startLine;
        this.fail("the quoted text is not closed");
      }
      buf = this.lines[this.pos].trim();
      this.pos += 1;
    }
    const out = foldLines(segments, quote === '"');
    return quote === '"' ? this.unescapeDouble(out) : out.replace(/''/g, "'");
  }

  parseBlockScalar(header, ind) {
    const m = /^([|>])([-+]?)([1-9]?)([-+]?)\s*(#.*)?$/.exec(header);
    if (!m) this.fail("bad block scalar header");
    const literal = m[1] === "|";
    const chomp = m[2] || m[4] || "";
    const explicit = m[3] ? Number(m[3]) : 0;
    const raw = [];
    while (this.pos < this.lines.length) {
      const line = this.lines[this.pos];
      if (line.trim() !== "" && indentOf(line) <= ind) break;
      raw.push(line);
      this.pos += 1;
    }
    // Trailing empty lines
    let trailing = 0;
    while (raw.length && raw[raw.length - 1].trim() === "") {
      raw.pop();
      trailing += 1;
    }
    let contentIndent = explicit ? ind + explicit : 0;
    if (!contentIndent) {
      const first = raw.find((l) => l.trim() !== "");
      contentIndent = first === undefined ? ind + 1 : indentOf(first);
    }
    const lines = raw.map((l) => (l.trim() === "" ? "" : l.slice(contentIndent)));
    let body;
    if (literal) {
      body = lines.join("\n");
    } else {
      body = "";
      let breaks = 0;
      let prevMore = null;
      let seenText = false;
      for (const l of lines) {
        if (l === "") {
          breaks += 1;
          continue;
        }
        const more = /^[ \t]/.test(l);
        if (!seenText) body += "\n".repeat(breaks);
        else if (!more && !prevMore) body += breaks ? "\n".repeat(breaks) : " ";
        else body += "\n" + "\n".repeat(breaks);
        body += l;
        breaks = 0;
        prevMore = more;
        seenText = true;
      }
    }
    const hasText = lines.some((l) => l !== "");
    if (chomp === "-") return body;
    if (chomp === "+") return body + "\n" + "\n".repeat(trailing);
    return hasText ? `${body}\n` : "";
  }

  /** Flow collections may span lines: gather until the brackets balance. */
  parseFlowText(text, ind) {
    let buf = text;
    const startPos = this.pos;
    for (;;) {
      const state = flowBalance(buf);
      if (state === 0) break;
      if (this.pos >= this.lines.length) {
        this.pos = startPos;
        this.fail("a '[' or '{' is not closed");
      }
      buf += "\n" + this.lines[this.pos].trim();
      this.pos += 1;
    }
    const flow = new FlowReader(buf, (msg) => {
      this.pos = Math.max(0, startPos - 1);
      this.fail(msg);
    });
    const value = flow.value();
    flow.ws();
    const rest = flow.text.slice(flow.i).trim();
    if (rest && !rest.startsWith("#")) flow.err("unexpected text after the closing bracket");
    void ind;
    return value;
  }
}

/** Fold the lines of a multi-line scalar: one line break is a space, empty lines are newlines. */
function foldLines(segments, double) {
  if (segments.length === 1) return segments[0];
  let out = "";
  let breaks = 0;
  segments.forEach((seg, i) => {
    let piece = i === 0 ? seg : seg.trimStart();
    if (i < segments.length - 1) piece = piece.replace(/[ \t]+$/, "");
    if (i > 0 && piece === "" && i < segments.length - 1) {
      breaks += 1;
      return;
    }
    if (i > 0) {
      if (double && !breaks && /(^|[^\\])(\\\\)*\\$/.test(out)) out = out.slice(0, -1);
      else out += breaks ? "\n".repeat(breaks) : " ";
    }
    breaks = 0;
    out += piece;
  });
  return out;
}

function findDoubleEnd(s) {
  for (let i = 0; i < s.length; i += 1) {
    if (s[i] === "\\") i += 1;
    else if (s[i] === '"') return i;
  }
  return -1;
}

function findSingleEnd(s) {
  for (let i = 0; i < s.length; i += 1) {
    if (s[i] === "'") {
      if (s[i + 1] === "'") i += 1;
      else return i;
    }
  }
  return -1;
}

/** Depth of open brackets at the end of s (ignoring quoted text and comments). */
function flowBalance(s) {
  let depth = 0;
  const tokenStart = (i) => /^$|[[{,:]$/.test(s.slice(0, i).trimEnd().slice(-1));
  for (let i = 0; i < s.length; i += 1) {
    const c = s[i];
    if ((c === '"' || c === "'") && !tokenStart(i)) continue;
    if (c === '"') {
      i += 1;
      while (i < s.length && s[i] !== '"') i += s[i] === "\\" ? 2 : 1;
    } else if (c === "'") {
      i += 1;
      while (i < s.length && !(s[i] === "'" && s[i + 1] !== "'")) i += s[i] === "'" ? 2 : 1;
    } else if (c === "#" && (i === 0 || /\s/.test(s[i - 1]))) {
      break;
    } else if (c === "[" || c === "{") depth += 1;
    else if (c === "]" || c === "}") depth -= 1;
  }
  return depth;
}

class FlowReader {
  constructor(text, fail) {
    this.text = text;
    this.i = 0;
    this.err = fail;
  }

  ws() {
    while (this.i < this.text.length && /\s/.test(this.text[this.i])) this.i += 1;
  }

  value() {
    this.ws();
    const c = this.text[this.i];
    if (c === "[") return this.seq();
    if (c === "{") return this.map();
    if (c === '"' || c === "'") return this.quoted();
    return this.plain();
  }

  seq() {
    this.i += 1;
    const out = [];
    for (;;) {
      this.ws();
      if (this.text[this.i] === "]") {
        this.i += 1;
        return out;
      }
      const item = this.value();
      this.ws();
      if (this.text[this.i] === ":") {
        this.i += 1;
        out.push({ [String(item)]: this.value() });
        this.ws();
      } else out.push(item);
      if (this.text[this.i] === ",") this.i += 1;
      else if (this.text[this.i] !== "]") this.err("expected ',' or ']'");
    }
  }

  map() {
    this.i += 1;
    const out = {};
    for (;;) {
      this.ws();
      if (this.text[this.i] === "}") {
        this.i += 1;
        return out;
      }
      const key = this.value();
      this.ws();
      let val = null;
      if (this.text[this.i] === ":") {
        this.i += 1;
        val = this.value();
        this.ws();
      }
      out[String(key)] = val;
      if (this.text[this.i] === ",") this.i += 1;
      else if (this.text[this.i] !== "}") this.err("expected ',' or '}'");
    }
  }

  quoted() {
    const q = this.text[this.i];
    const rest = this.text.slice(this.i + 1);
    const end = q === '"' ? findDoubleEnd(rest) : findSingleEnd(rest);
    if (end < 0) this.err("the quoted text is not closed");
    const body = foldLines(rest.slice(0, end).split("\n"), q === '"');
    this.i += end + 2;
    if (q === "'") return body.replace(/''/g, "'");
    return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e) => {
      if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
      return ESCAPES[e] ?? e;
    });
  }

  plain() {
    const start = this.i;
    while (this.i < this.text.length) {
      const c = this.text[this.i];
      if (c === "," || c === "]" || c === "}" || c === "[" || c === "{") break;
      if (c === ":" && (this.i + 1 >= this.text.length || /[\s,\]}[{]/.test(this.text[this.i + 1]))) break;
      if (c === "#" && /\s/.test(this.text[this.i - 1] || "")) {
        while (this.i < this.text.length && this.text[this.i] !== "\n") this.i += 1;
        break;
      }
      this.i += 1;
    }
    const raw = foldLines(this.text.slice(start, this.i).trim().split("\n"), false);
    if (/^[&*!]/.test(raw)) this.err("anchors, aliases and tags are not supported in the form; use the YAML mode");
    return resolvePlain(raw);
  }
}

export function parseYaml(text) {
  return new Reader(text).parseDocument();
}

// ---------------------------------------------------------------- writer

const WIDTH = 80;

function needsQuote(str, flow) {
  if (str === "") return true;
  if (resolvePlain(str) !== str) return true;
  if (OTHER_TYPED.test(str)) return true;
  if (/^[\s]|[\s]$/.test(str)) return true;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(str)) return true;
  if (/[\n\r\t\x00-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(str)) return true;
  if (/: |:$| #/.test(str)) return true;
  if (flow && /[,[\]{}:?#]/.test(str)) return true;
  return false;
}

function quote(str) {
  return JSON.stringify(str).replace(/[\u0085\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function scalar(value, flow = false) {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return ".nan";
    if (!Number.isFinite(value)) return value > 0 ? ".inf" : "-.inf";
    const text = String(value);
    // PyYAML reads 1e+20 as a string: write a form with a dot.
    if (/e/i.test(text)) {
      const [m, e] = text.split(/e/i);
      return `${m.includes(".") ? m : `${m}.0`}e${e.startsWith("-") || e.startsWith("+") ? e : `+${e}`}`;
    }
    return text;
  }
  const str = String(value);
  return needsQuote(str, flow) ? quote(str) : str;
}

function isScalar(v) {
  return v === null || v === undefined || typeof v !== "object";
}

/** Wrap words at spaces so that lines stay under width (single spaces only). */
function wrapWords(text, width) {
  const out = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  out.push(line);
  return out;
}

/** A long or multi-paragraph string as a folded block scalar, if it is safe to. */
function folded(str, indent) {
  if (/[\t\r\x00-\x08\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff]/.test(str)) return null;
  let body = str;
  let header = ">-";
  if (body.endsWith("\n")) {
    body = body.slice(0, -1);
    header = ">";
    if (body.endsWith("\n")) return null;
  }
  if (body === "") return null;
  const paragraphs = body.split(/(\n+)/);
  const lines = [];
  const pad = " ".repeat(indent);
  for (const piece of paragraphs) {
    if (piece.startsWith("\n")) {
      for (let i = 0; i < piece.length; i += 1) lines.push("");
      continue;
    }
    if (piece === "" || /^ |  | $/.test(piece)) return null;
    for (const l of wrapWords(piece, Math.max(30, WIDTH - indent))) lines.push(pad + l);
  }
  return [header, ...lines];
}

function emitScalarValue(value, indent, prefixLength) {
  if (typeof value === "string" && (value.includes("\n") || prefixLength + value.length > WIDTH + 20)) {
    const block = folded(value, indent);
    if (block) return block;
  }
  return [scalar(value)];
}

function flowOf(value) {
  if (isScalar(value)) return scalar(value, true);
  if (Array.isArray(value)) return `[${value.map(flowOf).join(", ")}]`;
  return `{${Object.entries(value).map(([k, v]) => `${scalar(k, true)}: ${flowOf(v)}`).join(", ")}}`;
}

function flowFits(value, room) {
  const deep = (v, depth) => {
    if (isScalar(v)) return typeof v !== "string" || !v.includes("\n");
    if (depth > 2) return false;
    return (Array.isArray(v) ? v : Object.values(v)).every((x) => deep(x, depth + 1));
  };
  if (!deep(value, 0)) return null;
  const text = flowOf(value);
  return text.length <= room ? text : null;
}

function emitNode(value, indent, lines, flowObjects) {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isScalar(item)) {
        const parts = emitScalarValue(item, indent + 2, indent + 2);
        lines.push(`${pad}- ${parts[0]}`);
        lines.push(...parts.slice(1));
      } else {
        const inline = (Array.isArray(item) || flowObjects) ? flowFits(item, WIDTH - indent - 2) : null;
        if (inline && (Array.isArray(item) || Object.keys(item).length <= 4)) {
          lines.push(`${pad}- ${inline}`);
        } else if (Array.isArray(item)) {
          lines.push(`${pad}-`);
          emitNode(item, indent + 2, lines, flowObjects);
        } else if (Object.keys(item).length === 0) {
          lines.push(`${pad}- {}`);
        } else {
          const sub = [];
          emitNode(item, indent + 2, sub, flowObjects);
          sub[0] = `${pad}- ${sub[0].slice(indent + 2)}`;
          lines.push(...sub);
        }
      }
    }
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const k = scalar(key);
    if (isScalar(v)) {
      const parts = emitScalarValue(v, indent + 2, indent + k.length + 2);
      lines.push(`${pad}${k}: ${parts[0]}`);
      lines.push(...parts.slice(1));
    } else if (Array.isArray(v) && v.length === 0) {
      lines.push(`${pad}${k}: []`);
    } else if (!Array.isArray(v) && Object.keys(v).length === 0) {
      lines.push(`${pad}${k}: {}`);
    } else {
      const allScalars = Array.isArray(v) && v.every((x) => isScalar(x) || Array.isArray(x));
      const inline = allScalars ? flowFits(v, WIDTH - indent - k.length - 2) : null;
      if (inline) {
        lines.push(`${pad}${k}: ${inline}`);
      } else {
        lines.push(`${pad}${k}:`);
        emitNode(v, Array.isArray(v) ? indent + 2 : indent + 2, lines, flowObjects);
      }
    }
  }
}

/**
 * Write a value as YAML. Small objects in lists (e.g. options) are written
 * inline when they fit on a line: {name: x, label: y}.
 */
export function toYaml(value, { flowObjects = true } = {}) {
  if (isScalar(value)) return `${scalar(value)}\n`;
  const lines = [];
  emitNode(value, 0, lines, flowObjects);
  return `${lines.join("\n")}\n`;
}
