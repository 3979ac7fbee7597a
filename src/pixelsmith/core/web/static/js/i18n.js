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

export function t(key, vars = {}) {
  const text = Object.hasOwn(catalog, key) ? catalog[key] : key;
  return text.replace(/\{(\w+)\}/g, (match, name) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : match,
  );
}
