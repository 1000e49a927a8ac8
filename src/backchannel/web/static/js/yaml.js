// YAML for the editor and the views, through the `yaml` package (eemeli/yaml,
// ISC licence), vendored under /static/vendor/yaml/ so that nothing is loaded
// from elsewhere. Booleans are read as the server reads them (PyYAML: yes/no/
// on/off are booleans, and such strings are written quoted; Y and N are text).
// Saving from the form goes through the Document API (updateYaml): the
// changed values are written into the parsed document, so the user's
// comments, key order and layout outside the changed values survive.
import {
  Document, parse, parseDocument, stringify, isMap, isSeq, isScalar, isPair, YAMLError,
} from "../vendor/yaml/index.js";

// PyYAML's booleans (YAML 1.1: yes/no/on/off/true/false in three casings),
// but not the 1.1 schema's y/n (PyYAML reads "N" as text: a Y/N pattern).
const BOOL_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const pyBool = {
  identify: (value) => typeof value === "boolean",
  default: true,
  tag: "tag:yaml.org,2002:bool",
  test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  resolve: (str) => BOOL_TRUE.test(str),
  stringify: ({ value }) => (value ? "true" : "false"),
};
// Dates: PyYAML reads a plain 2025-11-20 as a date, so text like that is written
// quoted; read, it stays the text it is.
const pyDate = {
  identify: () => false,
  default: true,
  tag: "tag:yaml.org,2002:timestamp",
  test: /^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$/,
  resolve: (str) => str,
};
const customTags = (tags) => [pyBool, pyDate, ...tags.filter((t) => t.tag !== "tag:yaml.org,2002:bool")];
// The core schema otherwise (dates and 0777 stay as written: the server reads them).
const OPTIONS = { schema: "core", customTags, uniqueKeys: true, prettyErrors: true };
const WRITE = { schema: "core", customTags, lineWidth: 0, indentSeq: true };

export class YamlError extends Error {
  constructor(message, line) {
    super(line ? `line ${line}: ${message}` : message);
    this.line = line;
  }
}

function located(err) {
  if (err instanceof YAMLError) {
    const line = err.linePos && err.linePos[0] ? err.linePos[0].line : undefined;
    const first = String(err.message).split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    return new YamlError(first, line);
  }
  return err;
}

function checked(doc) {
  if (doc.errors && doc.errors.length) throw located(doc.errors[0]);
  return doc;
}

/** The value of a YAML text (one document); YamlError, with the line, if it is not valid. */
export function parseYaml(text) {
  try {
    return parse(text, OPTIONS);
  } catch (err) {
    throw located(err);
  }
}

/** A value written as YAML. */
export function toYaml(value) {
  return stringify(value, WRITE);
}

const isPlainObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isPrimitive = (v) => v === null || ["string", "number", "boolean"].includes(typeof v);

const isEmptyContainer = (v) => (Array.isArray(v) ? v.length === 0 : isPlainObject(v) && Object.keys(v).length === 0);

function pairKey(pair) {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

// Write `value` into `node` in place where the shapes agree; false when the node
// must be replaced (e.g. a statement written as text becomes a mapping).
function sync(doc, node, value) {
  if (isPlainObject(value) && isMap(node)) {
    node.items = node.items.filter((pair) => isPair(pair) && Object.prototype.hasOwnProperty.call(value, pairKey(pair)));
    for (const [k, v] of Object.entries(value)) {
      const pair = node.items.find((p) => pairKey(p) === k);
      if (pair) {
        if (!sync(doc, pair.value, v)) pair.value = doc.createNode(v);
      } else if (!isEmptyContainer(v)) { // the form's empty lists are not written into the file
        node.items.push(doc.createPair(k, v));
      }
    }
    // keep the order of the value's keys (a renamed key stays where it was)
    const order = Object.keys(value);
    node.items.sort((a, b) => order.indexOf(pairKey(a)) - order.indexOf(pairKey(b)));
    return true;
  }
  if (Array.isArray(value) && isSeq(node)) {
    value.forEach((v, i) => {
      if (i < node.items.length) {
        if (!sync(doc, node.items[i], v)) node.items[i] = doc.createNode(v);
      } else {
        node.items.push(doc.createNode(v));
      }
    });
    node.items.length = value.length;
    return true;
  }
  if (isPrimitive(value) && isScalar(node)) {
    if (node.value !== value) {
      node.value = value;
      node.type = undefined; // let the writer choose how to quote the new text
      node.source = undefined;
    }
    return true;
  }
  return false;
}

/**
 * `value` written over the YAML `text` it was read from: comments, key order
 * and the layout of unchanged parts are kept. Falls back to toYaml() when the
 * text is not a valid YAML mapping.
 */
export function updateYaml(text, value) {
  let doc;
  try {
    doc = checked(parseDocument(text, OPTIONS));
  } catch (err) {
    return toYaml(value);
  }
  if (!isMap(doc.contents) || !sync(doc, doc.contents, value)) {
    const fresh = new Document(value, WRITE);
    return fresh.toString(WRITE);
  }
  return doc.toString(WRITE);
}
