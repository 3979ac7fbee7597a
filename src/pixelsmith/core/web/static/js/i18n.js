// Client-side messages: the page renders the catalog subset it needs into
// <script type="application/json" id="i18n">; t(key, vars) fills {name} placeholders.

const block = document.getElementById("i18n");
let catalog = {};
try {
  catalog = block ? JSON.parse(block.textContent) : {};
} catch {
  catalog = {};
}

export const lang = document.documentElement.lang || "en";

function fill(text, vars) {
  return text.replace(/\{(\w+)\}/g, (match, name) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : match,
  );
}

export function t(key, vars = {}) {
  return fill(Object.hasOwn(catalog, key) ? catalog[key] : key, vars);
}

/** A page's own catalog (a JSON block with this id) in front of the shared one: returns
 * {t, messages}; t(key, vars) falls back to the shared catalog, then the key. */
export function pageMessages(id) {
  let messages = {};
  try {
    messages = JSON.parse(document.getElementById(id)?.textContent || "{}");
  } catch {
    messages = {};
  }
  const pageT = (key, vars = {}) =>
    Object.hasOwn(messages, key) ? fill(messages[key], vars) : t(key, vars);
  return { t: pageT, messages };
}
