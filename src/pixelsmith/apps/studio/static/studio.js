// Sketch Studio page: tabs for filters, panorama, upscale and the sketch canvas.
//
// Filters: the photo is shrunk in the browser (studio-upload.js), a 320-px copy is sent once per
// filter for the before/after grid, and a click applies the filter to the full upload and
// offers the result for download. Panorama and upscale submit jobs and follow them over the
// job WebSocket. The sketch canvas (studio-canvas.js) submits to /api/v1/studio/sketch: a
// gen.sketch2img job with live step previews and cancel, or a 503 when no sketch-to-image model
// is installed: the page then says so and how.

import { ApiError, api, h } from "/static/js/api.js";
import { t } from "/static/js/i18n.js";
import { SketchCanvas } from "./studio-canvas.js";
import { PhotoError, jobPercent, prepareImage, watchJob } from "./studio-upload.js";

const root = document.getElementById("studio");
const $ = (id) => document.getElementById(id);
const FILTERS = JSON.parse($("studio-filters").textContent);
const THUMB_SIDE = 320;
// Filters: 2560 px and 4 MB. Panorama: 10 photos must fit one request (the server takes
// 26 MB in all), so 2000 px and 2.4 MB each. Upscale: see upscaleBudget().
const FILTER_BUDGET = { maxSide: 2560, maxBytes: 4 * 1024 * 1024 };
const PANO_BUDGET = { maxSide: 2000, maxBytes: 2.4 * 1024 * 1024 };
const MAX_OUTPUT_PIXELS = 48_000_000;
const MAX_PANO = 10;

// ---- shared --------------------------------------------------------------------------------

function errorText(err) {
  if (err instanceof PhotoError) return t(`apps.studio.error.${err.code}`);
  if (err instanceof ApiError && err.status === 0) return t("apps.studio.error.network");
  const key = `apps.studio.err.${err.code}`;
  if (err instanceof ApiError && t(key) !== key) return t(key);
  return err.message || String(err);
}

function showError(box, err) {
  box.replaceChildren(h("p", {}, typeof err === "string" ? err : errorText(err)));
  box.classList.add("notice-error");
  box.hidden = false;
}

// A job that ended without a result: failed (red) or canceled by the user (a plain notice).
function showJobEnd(box, job) {
  showError(box, jobError(job));
  box.classList.toggle("notice-error", job.status !== "canceled");
}

function clearError(box) {
  box.hidden = true;
  box.replaceChildren();
}

function setBusy(button, busy) {
  const label = button.querySelector(".btn-label");
  if (label) {
    if (!button.dataset.idleLabel) button.dataset.idleLabel = label.textContent;
    label.textContent = busy ? button.dataset.busyLabel : button.dataset.idleLabel;
  }
  button.disabled = busy;
  button.setAttribute("aria-busy", String(busy));
}

async function postForm(path, form) {
  let response;
  try {
    response = await fetch(path, { method: "POST", body: form });
  } catch {
    throw new ApiError("", { status: 0 });
  }
  if (!response.ok) {
    const data = await response.json().catch(() => null);
    const error = (data && data.error) || {};
    throw new ApiError(error.message || `HTTP ${response.status}`, {
      status: response.status,
      code: error.code || "http_error",
      details: error.details || {},
    });
  }
  return response;
}

function wireDrop(zone, onFiles) {
  const input = zone.querySelector("input[type=file]");
  input.addEventListener("change", () => {
    if (input.files.length) onFiles([...input.files]);
    input.value = "";
  });
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("is-dragover");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("is-dragover"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("is-dragover");
    const files = [...(e.dataTransfer?.files || [])];
    if (files.length) onFiles(files);
  });
}

function showJob(box, job) {
  box.hidden = false;
  const pct = jobPercent(job);
  const bar = box.querySelector(".progress");
  bar.setAttribute("aria-valuenow", String(pct));
  bar.querySelector(".progress-bar").style.width = `${pct}%`;
  box.dataset.status = job.status;
  const msg = box.querySelector(".job-message");
  const text = job.status === "queued" ? t("apps.studio.job.queued") : progressText(job);
  if (text !== null) msg.textContent = text;
  const preview = box.querySelector(".job-preview");
  if (preview && job.progress?.preview_key && job.status === "running") {
    preview.src = `/api/v1/blobs/${job.progress.preview_key}`;
    preview.hidden = false;
  }
}

// Progress and failure texts in the page's language (the server's are in English).
// null: keep the text shown (an ended sketch job's box is hidden; its last step stays).
function progressText(job) {
  const { step = 0, total = 0, message = "" } = job.progress || {};
  if (job.kind === "studio.panorama") return t(`apps.studio.pano.step.${step}`);
  if (job.kind === "studio.upscale" && total) return t("apps.studio.up.tile", { step, total });
  if (job.kind === "gen.sketch2img") {
    // Only two texts while it runs, whatever order the snapshots come in on a busy machine:
    // a step count once a step of a known total is done, "loading" before that.
    if (job.status !== "running") return null;
    const done = Math.min(step, total);
    if (done > 0) return t("apps.studio.sketch.step", { step: done, total });
    return t("apps.studio.sketch.loading");
  }
  return message;
}

function jobError(job) {
  if (job.status === "canceled") return t("apps.studio.job.canceled");
  const error = job.error || {};
  let message = error.message || job.status;
  const names = error.details?.not_placed?.map((i) => job.params?.names?.[i] || `#${i + 1}`);
  if (error.code === "not_enough_overlap" && names?.length) {
    message = t("apps.studio.err.not_placed", { names: names.join(", ") });
  } else if (error.code && t(`apps.studio.err.${error.code}`) !== `apps.studio.err.${error.code}`) {
    message = t(`apps.studio.err.${error.code}`);
  }
  return t("apps.studio.job.failed", { message });
}

// ---- tabs ----------------------------------------------------------------------------------

const tabs = [...root.querySelectorAll(".studio-tab")];

function selectTab(name, { focus = false, push = true } = {}) {
  const tab = tabs.find((b) => b.dataset.tab === name) || tabs[0];
  for (const b of tabs) {
    const on = b === tab;
    b.setAttribute("aria-selected", String(on));
    b.tabIndex = on ? 0 : -1;
    $(b.getAttribute("aria-controls")).hidden = !on;
  }
  if (focus) tab.focus();
  if (push) history.replaceState(null, "", `#${tab.dataset.tab}`);
}

for (const tab of tabs) {
  tab.addEventListener("click", () => selectTab(tab.dataset.tab));
  tab.addEventListener("keydown", (e) => {
    const i = tabs.indexOf(tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    selectTab(tabs[(next + tabs.length) % tabs.length].dataset.tab, { focus: true });
  });
}
selectTab(location.hash.slice(1) || "filters", { push: false });

// ---- filters -------------------------------------------------------------------------------

const filters = {
  upload: null, // the prepared full-size upload
  thumb: null, // the 320-px copy for the grid
  beforeUrl: null,
  resultUrl: null,
  selected: null,
  params: {},
  seq: 0,
};

function filterLabel(name) {
  return t(`filters.style.${name}`);
}

async function thumbFrom(blob) {
  return prepareImage(new File([blob], "thumb.jpg", { type: blob.type }), {
    maxSide: THUMB_SIDE,
    maxBytes: 200 * 1024,
    keepSmall: false,
  });
}

async function loadFilterPhoto(file) {
  const error = $("filters-error");
  clearError(error);
  $("filters-preparing").hidden = false;
  try {
    filters.upload = await prepareImage(file, FILTER_BUDGET);
    filters.thumb = await thumbFrom(filters.upload.blob);
  } catch (err) {
    $("filters-preparing").hidden = true;
    showError(error, err);
    return;
  }
  if (filters.beforeUrl) URL.revokeObjectURL(filters.beforeUrl);
  filters.beforeUrl = URL.createObjectURL(filters.upload.blob);
  $("filter-before").src = filters.beforeUrl;
  $("filters-meta").textContent = t("apps.studio.filters.photo_meta", {
    width: filters.upload.width,
    height: filters.upload.height,
  });
  root.querySelector('[data-drop="filters"]').hidden = true;
  $("filters-work").hidden = false;
  $("filter-result").hidden = true;
  const seq = ++filters.seq;
  const cards = [...root.querySelectorAll(".filter-card")];
  for (const card of cards) {
    card.setAttribute("aria-pressed", "false");
    card.dataset.state = "loading";
  }
  // Two at a time: quick on the server, and the grid fills in order.
  const queue = [...cards];
  const worker = async () => {
    while (queue.length && seq === filters.seq) {
      const card = queue.shift();
      const img = card.querySelector("img");
      try {
        const form = new FormData();
        form.append("file", filters.thumb.blob, "thumb.jpg");
        form.append("style", card.dataset.filter);
        const response = await postForm("/api/v1/studio/filter", form);
        const blob = await response.blob();
        if (seq !== filters.seq) return;
        if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
        img.src = URL.createObjectURL(blob);
        card.dataset.state = "ready";
      } catch (err) {
        card.dataset.state = "error";
        card.title = errorText(err);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  if (seq === filters.seq) {
    $("filters-preparing").hidden = true;
    root.dataset.filtersReady = "true";
  }
}

function renderParams(spec) {
  const box = $("filter-params");
  box.replaceChildren();
  const props = spec.params_schema.properties || {};
  const names = Object.keys(props).filter((n) => n !== "seed");
  if (!names.length) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  for (const name of names) {
    const p = props[name];
    const id = `param-${name}`;
    const value = filters.params[name] ?? spec.defaults[name];
    if (p.type === "boolean") {
      const input = h("input", { type: "checkbox", id, checked: value ? true : null });
      input.addEventListener("change", () => {
        filters.params[name] = input.checked;
        scheduleApply();
      });
      box.append(h("label", { class: "param param-check", for: id }, input, t(`filters.param.${name}`)));
      continue;
    }
    const integer = p.type === "integer";
    const step = integer ? 1 : (p.maximum - p.minimum) / 100;
    const out = h("output", { for: id, text: String(value) });
    const input = h("input", {
      type: "range",
      id,
      min: p.minimum,
      max: p.maximum,
      step: Number(step.toPrecision(2)),
      value,
    });
    input.addEventListener("input", () => {
      out.textContent = input.value;
    });
    input.addEventListener("change", () => {
      filters.params[name] = integer ? parseInt(input.value, 10) : parseFloat(input.value);
      scheduleApply();
    });
    box.append(
      h(
        "div",
        { class: "param" },
        h("label", { for: id }, t(`filters.param.${name}`), out),
        input,
      ),
    );
  }
}

let applyTimer = null;
function scheduleApply() {
  clearTimeout(applyTimer);
  applyTimer = setTimeout(applySelected, 250);
}

async function applySelected() {
  const name = filters.selected;
  if (!name || !filters.upload) return;
  const seq = ++filters.seq;
  const error = $("filters-error");
  clearError(error);
  $("filter-busy").hidden = false;
  $("filter-result").dataset.state = "loading";
  try {
    const form = new FormData();
    form.append("file", filters.upload.blob, filters.upload.name);
    form.append("style", name);
    form.append("params", JSON.stringify(filters.params));
    const response = await postForm("/api/v1/studio/filter", form);
    const blob = await response.blob();
    if (seq !== filters.seq) return;
    if (filters.resultUrl) URL.revokeObjectURL(filters.resultUrl);
    filters.resultUrl = URL.createObjectURL(blob);
    $("filter-after").src = filters.resultUrl;
    const link = $("filter-download");
    link.href = filters.resultUrl;
    const disposition = response.headers.get("Content-Disposition") || "";
    link.download = /filename="([^"]+)"/.exec(disposition)?.[1] || `${name}.jpg`;
    $("filter-result-meta").textContent = t("apps.studio.filters.meta", {
      width: filters.upload.width,
      height: filters.upload.height,
      ms: Math.round(parseFloat(response.headers.get("X-Filter-Ms") || "0")),
    });
    $("filter-result").dataset.state = "ready";
  } catch (err) {
    if (seq === filters.seq) {
      showError(error, err);
      $("filter-result").dataset.state = "error";
    }
  } finally {
    if (seq === filters.seq) $("filter-busy").hidden = true;
  }
}

function selectFilter(name) {
  filters.selected = name;
  filters.params = {};
  for (const card of root.querySelectorAll(".filter-card")) {
    card.setAttribute("aria-pressed", String(card.dataset.filter === name));
  }
  $("filter-result-title").textContent = filterLabel(name);
  renderParams(FILTERS.find((f) => f.name === name));
  $("filter-result").hidden = false;
  applySelected();
  $("filter-result").scrollIntoView({ behavior: "smooth", block: "nearest" });
}

wireDrop(root.querySelector('[data-drop="filters"]'), (files) => loadFilterPhoto(files[0]));
for (const card of root.querySelectorAll(".filter-card")) {
  card.addEventListener("click", () => selectFilter(card.dataset.filter));
}
$("filters-change").addEventListener("click", () => $("filters-file").click());
const slider = $("filter-slider");
slider.addEventListener("input", () => {
  $("filter-compare").style.setProperty("--split", `${slider.value}%`);
});

// ---- panorama ------------------------------------------------------------------------------

const pano = { files: [], urls: [] };

function renderPanoList() {
  const list = $("pano-list");
  for (const url of pano.urls) URL.revokeObjectURL(url);
  pano.urls = pano.files.map((f) => URL.createObjectURL(f));
  const icon = (id) => $(id).content.firstElementChild.cloneNode(true);
  list.replaceChildren(
    ...pano.files.map((file, i) => {
      const move = (delta) => {
        const j = i + delta;
        [pano.files[i], pano.files[j]] = [pano.files[j], pano.files[i]];
        renderPanoList();
        list.children[j]?.querySelector(delta < 0 ? ".move-left" : ".move-right")?.focus();
      };
      return h(
        "li",
        { class: "pano-item", "data-index": i },
        h("img", { src: pano.urls[i], alt: file.name }),
        h("span", { class: "pano-num", "aria-hidden": "true" }, String(i + 1)),
        h("span", { class: "pano-name", title: file.name }, file.name),
        h(
          "span",
          { class: "pano-tools" },
          h(
            "button",
            {
              type: "button",
              class: "pano-btn move-left",
              "aria-label": `${t("apps.studio.pano.move_left")}: ${file.name}`,
              disabled: i === 0,
              onclick: () => move(-1),
            },
            icon("studio-icon-left"),
          ),
          h(
            "button",
            {
              type: "button",
              class: "pano-btn move-right",
              "aria-label": `${t("apps.studio.pano.move_right")}: ${file.name}`,
              disabled: i === pano.files.length - 1,
              onclick: () => move(1),
            },
            icon("studio-icon-right"),
          ),
          h(
            "button",
            {
              type: "button",
              class: "pano-btn remove",
              "aria-label": `${t("apps.studio.pano.remove")}: ${file.name}`,
              onclick: () => {
                pano.files.splice(i, 1);
                renderPanoList();
              },
            },
            icon("studio-icon-x"),
          ),
        ),
      );
    }),
  );
  const n = pano.files.length;
  $("pano-count").textContent = n
    ? n < 2
      ? t("apps.studio.pano.need_more")
      : t("apps.studio.pano.count", { n })
    : "";
  $("pano-run").disabled = n < 2;
}

function addPanoFiles(files) {
  clearError($("pano-error"));
  const images = files.filter((f) => !f.type || f.type.startsWith("image/"));
  pano.files.push(...images);
  if (pano.files.length > MAX_PANO) {
    pano.files.length = MAX_PANO;
    showError($("pano-error"), t("apps.studio.pano.too_many"));
  }
  renderPanoList();
}

async function runPanorama() {
  const button = $("pano-run");
  const error = $("pano-error");
  clearError(error);
  $("pano-result").hidden = true;
  setBusy(button, true);
  try {
    const form = new FormData();
    for (const file of pano.files) {
      const prepared = await prepareImage(file, PANO_BUDGET);
      form.append("files", prepared.blob, file.name);
    }
    form.append("mode", root.querySelector('input[name="pano-mode"]:checked').value);
    const job = await (await postForm("/api/v1/studio/panorama", form)).json();
    const final = await watchJob(job.id, (j) => showJob($("pano-job"), j));
    $("pano-job").hidden = true;
    if (final.status !== "succeeded") {
      showJobEnd(error, final);
      return;
    }
    const artifact = final.artifacts[0];
    $("pano-image").src = artifact.url;
    $("pano-download").href = artifact.url;
    $("pano-download").download = artifact.name;
    $("pano-meta").textContent = t("apps.studio.pano.meta", {
      width: final.result.width,
      height: final.result.height,
      n: final.result.images,
    });
    $("pano-result").hidden = false;
    $("pano-job").hidden = true;
  } catch (err) {
    showError(error, err);
  } finally {
    setBusy(button, false);
    button.disabled = pano.files.length < 2;
  }
}

wireDrop(root.querySelector('[data-drop="panorama"]'), addPanoFiles);
$("pano-run").addEventListener("click", runPanorama);

// ---- upscale -------------------------------------------------------------------------------

const up = { file: null, width: 0, height: 0, job: null };

function upscaleScale() {
  return parseInt(root.querySelector('input[name="up-scale"]:checked').value, 10);
}

function showUpSource() {
  if (!up.file) return;
  const s = upscaleScale();
  const fit = Math.min(1, Math.sqrt(MAX_OUTPUT_PIXELS / (s * s * up.width * up.height)));
  const w = Math.floor(up.width * fit);
  const hh = Math.floor(up.height * fit);
  const box = $("up-source");
  box.textContent = t("apps.studio.up.source", {
    width: up.width,
    height: up.height,
    out_w: w * s,
    out_h: hh * s,
  });
  if (fit < 1) box.textContent += ` ${t("apps.studio.up.resized", { width: w, height: hh })}`;
  box.hidden = false;
}

async function pickUpscale(files) {
  const error = $("up-error");
  clearError(error);
  try {
    const bitmap = await createImageBitmap(files[0], { imageOrientation: "from-image" });
    up.width = bitmap.width;
    up.height = bitmap.height;
    bitmap.close();
  } catch {
    showError(error, new PhotoError("not_image"));
    return;
  }
  up.file = files[0];
  $("up-run").disabled = false;
  showUpSource();
}

async function runUpscale() {
  const button = $("up-run");
  const cancel = $("up-cancel");
  const error = $("up-error");
  clearError(error);
  $("up-result").hidden = true;
  setBusy(button, true);
  try {
    const scale = upscaleScale();
    const prepared = await prepareImage(up.file, {
      maxSide: 12000,
      maxPixels: MAX_OUTPUT_PIXELS / (scale * scale),
      maxBytes: 8 * 1024 * 1024,
    });
    const form = new FormData();
    form.append("file", prepared.blob, prepared.name);
    form.append("scale", String(scale));
    form.append("model", root.querySelector('input[name="up-model"]:checked').value);
    const job = await (await postForm("/api/v1/studio/upscale", form)).json();
    up.job = job.id;
    cancel.hidden = false;
    const box = $("up-job");
    box.querySelector(".job-preview").hidden = true;
    const final = await watchJob(job.id, (j) => showJob(box, j));
    box.hidden = true;
    if (final.status !== "succeeded") {
      showJobEnd(error, final);
      return;
    }
    const artifact = final.artifacts[0];
    $("up-image").src = artifact.url;
    $("up-download").href = artifact.url;
    $("up-download").download = artifact.name;
    $("up-meta").textContent = t("apps.studio.up.meta", {
      width: final.result.width,
      height: final.result.height,
      seconds: final.result.seconds,
    });
    $("up-result").hidden = false;
    box.hidden = true;
  } catch (err) {
    showError(error, err);
  } finally {
    up.job = null;
    cancel.hidden = true;
    setBusy(button, false);
  }
}

wireDrop(root.querySelector('[data-drop="upscale"]'), pickUpscale);
for (const radio of root.querySelectorAll('input[name="up-scale"]')) {
  radio.addEventListener("change", showUpSource);
}
$("up-run").addEventListener("click", runUpscale);
$("up-cancel").addEventListener("click", () => {
  if (up.job) api(`/api/v1/jobs/${up.job}/cancel`, { method: "POST" }).catch(() => {});
});

// ---- sketch --------------------------------------------------------------------------------

const undoBtn = $("sketch-undo");
const redoBtn = $("sketch-redo");
const clearBtn = $("sketch-clear");
const sketch = new SketchCanvas($("sketch-canvas"), {
  onChange(c) {
    undoBtn.disabled = !c.canUndo;
    redoBtn.disabled = !c.canRedo;
    clearBtn.disabled = c.isEmpty;
    $("sketch-canvas").dataset.ops = String(c.ops.length);
  },
});
window.studioSketch = sketch; // for the browser tests and the console

function radioGroup(selector, onPick) {
  const buttons = [...root.querySelectorAll(selector)];
  for (const b of buttons) {
    b.addEventListener("click", () => {
      for (const o of buttons) o.setAttribute("aria-checked", String(o === b));
      onPick(b);
    });
  }
}
radioGroup(".tool[data-tool]", (b) => sketch.setTool(b.dataset.tool));
radioGroup(".tool-size", (b) => sketch.setSize(parseInt(b.dataset.size, 10)));
undoBtn.addEventListener("click", () => sketch.undo());
redoBtn.addEventListener("click", () => sketch.redo());
clearBtn.addEventListener("click", () => sketch.clear());
document.addEventListener("keydown", (e) => {
  if ($("panel-sketch").hidden || !(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== "z") return;
  if (["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName)) return;
  e.preventDefault();
  if (e.shiftKey) sketch.redo();
  else sketch.undo();
});

const edges = { file: null, image: null, url: null, seq: 0 };

async function loadEdges() {
  if (!edges.file) return;
  const error = $("edge-error");
  const method = root.querySelector('input[name="edge-method"]:checked').value;
  const seq = ++edges.seq;
  clearError(error);
  try {
    const prepared = await prepareImage(edges.file, { maxSide: 1024, maxBytes: 2 * 1024 * 1024 });
    const form = new FormData();
    form.append("file", prepared.blob, prepared.name);
    form.append("method", method);
    const blob = await (await postForm("/api/v1/studio/edges", form)).blob();
    if (seq !== edges.seq) return; // a newer request (other method or file) wins
    if (edges.url) URL.revokeObjectURL(edges.url);
    edges.url = URL.createObjectURL(blob);
    const img = $("edge-image");
    img.src = edges.url;
    await img.decode();
    edges.image = img;
    $("edge-preview").dataset.method = method;
    $("edge-preview").hidden = false;
  } catch (err) {
    showError(error, err);
  }
}

wireDrop($("sketch-file").closest(".sketch-import"), (files) => {
  edges.file = files[0];
  loadEdges();
});
for (const radio of root.querySelectorAll('input[name="edge-method"]')) {
  radio.addEventListener("change", loadEdges);
}
$("edge-use").addEventListener("click", async () => {
  if (!edges.image) return;
  const bitmap = await createImageBitmap(edges.image);
  sketch.placeImage(bitmap);
  $("edge-preview").hidden = true;
});
$("edge-discard").addEventListener("click", () => {
  $("edge-preview").hidden = true;
});

let sketchJob = null; // the running gen.sketch2img job, for the cancel button
$("sketch-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const error = $("sketch-error");
  const missing = $("sketch-missing");
  clearError(error);
  missing.hidden = true;
  const prompt = $("sketch-prompt").value.trim();
  if (sketch.isEmpty || sketch.inkRatio() === 0) {
    showError(error, t("apps.studio.sketch.empty"));
    return;
  }
  if (!prompt) {
    showError(error, t("apps.studio.sketch.no_prompt"));
    $("sketch-prompt").focus();
    return;
  }
  const button = $("sketch-submit");
  const cancel = $("sketch-cancel");
  $("sketch-result").hidden = true;
  setBusy(button, true);
  try {
    const form = new FormData();
    form.append("file", await sketch.toBlob(), "sketch.png");
    form.append("prompt", prompt);
    form.append("category", $("sketch-category").value);
    form.append("style", $("sketch-style").value);
    const job = await (await postForm("/api/v1/studio/sketch", form)).json();
    sketchJob = job.id;
    cancel.hidden = false;
    const box = $("sketch-job");
    box.querySelector(".job-preview").hidden = true;
    let shownStep = 0; // a snapshot older than one already shown (socket vs. poll) is skipped
    const final = await watchJob(job.id, (j) => {
      const step = j.progress?.step || 0;
      if (j.status === "running" && step < shownStep) return;
      shownStep = Math.max(shownStep, step);
      showJob(box, j);
    });
    box.hidden = true;
    if (final.status !== "succeeded") {
      showJobEnd(error, final);
      return;
    }
    const artifact = final.artifacts[0];
    $("sketch-image").src = artifact.url;
    $("sketch-download").href = artifact.url;
    $("sketch-download").download = artifact.name;
    $("sketch-result").hidden = false;
  } catch (err) {
    if (err instanceof ApiError && err.code === "model_unavailable") {
      $("sketch-install").textContent = err.details.install_command || "pixelsmith models install";
      missing.hidden = false;
    } else {
      showError(error, err);
    }
  } finally {
    sketchJob = null;
    cancel.hidden = true;
    setBusy(button, false);
  }
});
$("sketch-cancel").addEventListener("click", () => {
  if (sketchJob) api(`/api/v1/jobs/${sketchJob}/cancel`, { method: "POST" }).catch(() => {});
});

root.dataset.ready = "true";
