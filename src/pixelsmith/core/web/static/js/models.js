// The models page: GET /api/v1/models → one card per model, with what to do when one is missing.

import { ApiError, api, h } from "./api.js";
import { t } from "./i18n.js";

const root = document.getElementById("models");
const list = document.getElementById("models-list");
const stats = document.getElementById("models-stats");
const loading = document.getElementById("models-loading");
const errorBox = document.getElementById("models-error");
const emptyLine = document.getElementById("models-empty");
const refresh = document.getElementById("models-refresh");

// Icons are rendered by the server into <template id="icon-NAME"> elements.
function icon(name) {
  const template = document.getElementById(`icon-${name}`);
  return template ? template.content.firstElementChild.cloneNode(true) : null;
}

/** The API answers {"models": [...]}; accept a bare list too. */
function modelsOf(data) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data.models)) return data.models;
  if (data && Array.isArray(data.items)) return data.items;
  return [];
}

function card(model) {
  const available = Boolean(model.available);
  const tags = [
    model.capability && `${t("models.capability")}: ${model.capability}`,
    model.device && `${t("models.device")}: ${model.device}`,
    model.bundled ? t("models.bundled") : t("models.installable"),
  ].filter(Boolean);

  const side = h(
    "div",
    { class: "model-side" },
    h("span", {
      class: `badge ${available ? "badge-ok" : "badge-warn"}`,
      "data-field": "available",
      text: available ? `✓ ${t("models.available")}` : t("models.unavailable"),
    }),
    h("span", {
      class: `badge ${model.loaded ? "badge-ok" : "badge-muted"}`,
      "data-field": "loaded",
      text: model.loaded ? t("models.loaded") : t("models.not_loaded"),
    }),
    model.loaded && model.load_seconds != null
      ? h("span", {
          class: "model-load",
          text: t("models.load_seconds", { seconds: Number(model.load_seconds).toFixed(1) }),
        })
      : null,
  );

  const help =
    !available && (model.reason || model.install_hint)
      ? h(
          "dl",
          { class: "model-help" },
          model.reason ? [h("dt", { text: t("models.reason") }), h("dd", { text: model.reason })] : [],
          model.install_hint
            ? [h("dt", { text: t("models.how") }), h("dd", { text: model.install_hint })]
            : [],
        )
      : null;

  return h(
    "li",
    {
      class: "model",
      "data-model": model.name,
      "data-available": String(available),
      "data-loaded": String(Boolean(model.loaded)),
    },
    h("span", { class: "model-mark" }, icon(available ? "check" : "alert")),
    h(
      "div",
      { class: "model-main" },
      h(
        "div",
        { class: "model-title" },
        h("h3", { text: model.title || model.name }),
        h("span", { class: "model-name", text: model.name }),
      ),
      model.description ? h("p", { class: "model-desc", text: model.description }) : null,
      h("ul", { class: "model-tags" }, tags.map((tag) => h("li", { text: tag }))),
    ),
    side,
    help,
  );
}

function setCount(name, value) {
  stats.querySelector(`[data-stat="${name}"]`).textContent = String(value);
}

async function load() {
  root.setAttribute("aria-busy", "true");
  refresh.disabled = true;
  try {
    const models = modelsOf(await api("/api/v1/models"));
    list.replaceChildren(...models.map(card));
    setCount("available", models.filter((m) => m.available).length);
    setCount("unavailable", models.filter((m) => !m.available).length);
    setCount("loaded", models.filter((m) => m.loaded).length);
    stats.hidden = models.length === 0;
    emptyLine.hidden = models.length !== 0;
    errorBox.hidden = true;
    root.dataset.state = models.length ? "ready" : "empty";
  } catch (err) {
    const message =
      err instanceof ApiError && err.status === 0 ? t("models.error.network") : err.message;
    errorBox.textContent = t("models.error", { message });
    errorBox.hidden = false;
    root.dataset.state = "error";
  } finally {
    loading.hidden = true;
    refresh.disabled = false;
    root.setAttribute("aria-busy", "false");
  }
}

refresh.addEventListener("click", load);
load();
