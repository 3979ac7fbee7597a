// Backdrop Studio page: product photos → cut-out (with a brush) → brief → backgrounds →
// renders; and batches of many photos → one zip. The API it speaks is the "Backdrop Studio"
// section of docs/api.md.
//
// 1. Each chosen photo is shrunk in the browser (longest side 2048 px, the server's working
//    size) and uploaded to POST /api/v1/backdrop/products, one after another; the answer holds
//    the matte, the analysis and the brief. Products are listed; one is shown at a time.
// 2. The cut-out is drawn over a checkerboard: the photo faded, the product at full strength.
//    The brush paints into a mask canvas (add or remove, size, undo, reset); "apply" scales
//    it to the photo's size and PUTs it as a PNG; the server refines the edge and answers a
//    new matte, analysis and brief.
// 3. The brief as text, with its lighting, mood, colour scheme, palette and props.
// 4. Suggested backgrounds (GET …/suggestions) as thumbnails to pick, an output preset, your
//    own background upload, and "generate" (GPU; a clear message when no model is installed).
// 5. POST /renders → the backdrop.render job over its WebSocket → a grid of renders, each with
//    its compliance badge and download; a zip of all.
// Batch: photos or a zip → POST /batches → job progress → contact sheet and zip download.

import { ApiError, api, h } from "/static/js/api.js";
import { TERMINAL, followJob, setBusy } from "/static/js/follow.js";
import { PhotoError, prepareImage } from "/static/js/photo.js";
import { pageMessages } from "/static/js/i18n.js";

const MAX_SIDE = 2048; // the server's working photo
const MAX_BYTES = 6 * 1024 * 1024;
const SUGGEST_K = 8;
const DEFAULT_PICKS = 3;
const MAX_PICKS = 12;
const WORK_SIDE = 1024; // the brush paints at this size; the mask is scaled up on apply
const UNDO_DEPTH = 20;
const API = "/api/v1/backdrop";

const { t, messages } = pageMessages("backdrop-i18n");
const tOr = (key, fallback, vars) => (Object.hasOwn(messages, key) ? t(key, vars) : fallback);
const pct = (x) => Math.round(Math.max(0, Math.min(1, Number(x) || 0)) * 100);
const HEX = /^#[0-9a-f]{6}$/i;
const smooth = () =>
  window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";

function icon(name) {
  const tpl = document.getElementById(`bd-icon-${name}`);
  return tpl ? tpl.content.firstElementChild.cloneNode(true) : null;
}

// ---- elements ----------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
const root = $("backdrop");
const el = {
  photosStep: $("bd-photos"),
  file: $("bd-file"),
  uploading: $("bd-uploading"),
  photosError: $("bd-photos-error"),
  productsWrap: $("bd-products-wrap"),
  products: $("bd-products"),
  deleted: $("bd-deleted"),
  cutoutStep: $("bd-cutout"),
  cutoutBody: $("bd-cutout-body"),
  stage: $("bd-stage"),
  canvas: $("bd-canvas"),
  confidence: $("bd-confidence"),
  size: $("bd-size"),
  sizeOut: $("bd-size-out"),
  undo: $("bd-undo"),
  reset: $("bd-reset"),
  apply: $("bd-apply"),
  brushStatus: $("bd-brush-status"),
  flags: $("bd-flags"),
  cutoutError: $("bd-cutout-error"),
  briefStep: $("bd-brief"),
  briefBody: $("bd-brief-body"),
  briefText: $("bd-brief-text"),
  facts: $("bd-facts"),
  bgStep: $("bd-backgrounds"),
  bgError: $("bd-bg-error"),
  form: $("bd-render-form"),
  pickCount: $("bd-pick-count"),
  suggestLoading: $("bd-suggest-loading"),
  suggestNone: $("bd-suggest-none"),
  suggestions: $("bd-suggestions"),
  preset: $("bd-preset"),
  ownFile: $("bd-own-file"),
  ownStatus: $("bd-own-status"),
  generate: $("bd-generate"),
  renderBtn: $("bd-render"),
  rendersStep: $("bd-renders"),
  renderJob: $("bd-render-job"),
  rendersError: $("bd-renders-error"),
  rendersBody: $("bd-renders-body"),
  grid: $("bd-grid"),
  zip: $("bd-zip"),
  batchForm: $("bd-batch-form"),
  batchFile: $("bd-batch-file"),
  batchChosen: $("bd-batch-chosen"),
  batchK: $("bd-batch-k"),
  batchStart: $("bd-batch-start"),
  batchJob: $("bd-batch-job"),
  batchError: $("bd-batch-error"),
  batchResult: $("bd-batch-result"),
  batchDone: $("bd-batch-done"),
  batchSheet: $("bd-batch-sheet"),
  batchSkipped: $("bd-batch-skipped"),
  batchZip: $("bd-batch-zip"),
};

const state = {
  products: new Map(), // id → the API's product
  current: null, // id of the product shown
  generation: 0, // bumped when another product is shown: late answers of the old one are ignored
  presets: [],
  busy: false,
};

// ---- steps, errors, jobs -----------------------------------------------------------------------

const STEPS = ["photos", "cutout", "brief", "backgrounds", "renders"];
const SECTIONS = {
  photos: el.photosStep,
  cutout: el.cutoutStep,
  brief: el.briefStep,
  backgrounds: el.bgStep,
  renders: el.rendersStep,
};

function setStep(step) {
  const reached = STEPS.indexOf(step);
  STEPS.forEach((name, i) => {
    SECTIONS[name].dataset.active = String(i <= reached);
  });
  root.dataset.step = step;
}

const ERROR_KINDS = {
  unsupported_type: "not_image",
  corrupt_image: "not_image",
  truncated_image: "not_image",
  empty_file: "not_image",
  bad_dimensions: "not_image",
  invalid_image: "not_image",
  bad_zip: "not_image",
  zip_bomb: "too_large",
  batch_empty: "not_image",
  batch_no_images: "not_image",
  file_too_large: "too_large",
  image_too_large: "too_large",
  payload_too_large: "too_large",
  batch_too_many_files: "too_large",
  batch_too_large: "too_large",
  no_object: "no_object",
  empty_mask: "mask",
  mask_size_mismatch: "mask",
  queue_full: "busy",
  model_unavailable: "model",
};

function describe(err) {
  if (err instanceof PhotoError) return { kind: err.kind === "too_large" ? "too_large" : "not_image" };
  if (err instanceof ApiError) {
    if (err.status === 0) return { kind: "network" };
    if (ERROR_KINDS[err.code]) return { kind: ERROR_KINDS[err.code], detail: err.message };
    if (err.status === 413) return { kind: "too_large", detail: err.message };
    if (err.status === 429) return { kind: "busy", detail: err.message };
    if (err.status === 404) return { kind: "gone", detail: err.message };
    if (err.status >= 500) return { kind: "server", detail: err.message };
    return { kind: "other", detail: err.message };
  }
  console.warn(err); // eslint-disable-line no-console
  return { kind: "other", detail: String(err?.message || err) };
}

function showError(box, err, { prefix = "" } = {}) {
  const { kind, detail } = describe(err);
  const text = h(
    "div",
    { class: "bd-alert-text" },
    h("strong", { text: (prefix ? `${prefix}: ` : "") + t(`apps.backdrop.error.${kind}.title`) }),
    h("p", { text: t(`apps.backdrop.error.${kind}.next`, { message: detail || "" }) }),
  );
  if (detail && !["other", "model"].includes(kind)) {
    text.append(h("p", { class: "bd-alert-detail", text: detail }));
  }
  box.replaceChildren(...[icon("alert"), text].filter(Boolean));
  box.dataset.kind = kind;
  box.dataset.code = err?.code || "";
  box.hidden = false;
  box.scrollIntoView({ block: "nearest", behavior: smooth() });
}

function clearError(box) {
  box.hidden = true;
  box.replaceChildren();
  delete box.dataset.kind;
  delete box.dataset.code;
}

function showJob(box, job) {
  const bar = box.querySelector(".progress");
  const { step = 0, total = 0 } = job.progress || {};
  const value =
    job.status === "succeeded" ? 100 : total ? Math.max(0, Math.min(100, Math.round((step / total) * 100))) : 0;
  box.hidden = false;
  box.dataset.status = job.status;
  bar.querySelector(".progress-bar").style.width = `${value}%`;
  bar.setAttribute("aria-valuenow", String(value));
  const message =
    job.status === "succeeded"
      ? t("apps.backdrop.job.done")
      : job.progress?.message ||
        (job.status === "queued" ? t("apps.backdrop.job.queued") : t("apps.backdrop.job.running"));
  bar.setAttribute("aria-valuetext", `${value}% · ${message}`);
  box.querySelector(".progress-message").textContent = message;
  box.querySelector(".progress-pct").textContent = `${value}%`;
}

function jobError(job) {
  const message =
    job.status === "canceled"
      ? t("apps.backdrop.error.canceled")
      : (job.error && (job.error.message || job.error.code)) || job.status;
  return new ApiError(message, { status: 400, code: job.error?.code || "job_failed" });
}

/** The run once the server's row says it is finished: a job's "succeeded" event can arrive a
 * moment before its result is readable, so ask again for a little while. */
async function finishedRun(id) {
  for (let i = 0; ; i += 1) {
    const run = await api(`${API}/runs/${encodeURIComponent(id)}`);
    if (TERMINAL.has(run.status) || i >= 40) return run;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.decoding = "async";
    img.onload = () => resolve(img);
    img.onerror = () => reject(new ApiError(`cannot load ${url}`, { status: 404, code: "not_found" }));
    img.src = url;
  });
}

// ---- 1. photos ---------------------------------------------------------------------------------

async function uploadFiles(files) {
  const list = [...files].filter(Boolean);
  if (!list.length || state.busy) return;
  state.busy = true;
  root.dataset.busy = "true";
  clearError(el.photosError);
  el.deleted.hidden = true;
  const failures = [];
  let first = null;
  const busyText = el.uploading.querySelector(".bd-busy-text");
  el.uploading.hidden = false;
  try {
    for (const [i, file] of list.entries()) {
      const name = file.name || "photo";
      try {
        busyText.textContent = t("apps.backdrop.preparing", { name });
        const photo = await prepareImage(file, { maxSide: MAX_SIDE, maxBytes: MAX_BYTES });
        busyText.textContent = t("apps.backdrop.uploading", { name, done: i + 1, total: list.length });
        const form = new FormData();
        form.append("file", photo.blob, name); // the server reads the bytes, not the name
        const product = await api(`${API}/products`, { method: "POST", body: form });
        product.name = product.name || name;
        addProduct(product);
        if (!first) first = product;
      } catch (err) {
        failures.push([name, err]);
      }
    }
  } finally {
    el.uploading.hidden = true;
    state.busy = false;
    root.dataset.busy = "false";
    el.file.value = "";
  }
  if (failures.length) {
    const [name, err] = failures[0];
    showError(el.photosError, err, { prefix: name });
    el.photosError.dataset.failed = String(failures.length);
  }
  if (first) selectProduct(first.id);
}

function addProduct(product) {
  state.products.set(product.id, product);
  let item = el.products.querySelector(`[data-id="${product.id}"]`);
  const thumb = h("img", { src: product.urls.cutout, alt: "", loading: "lazy" });
  const category = tOr(`apps.backdrop.category.${product.analysis.category}`, product.analysis.category);
  const pick = h(
    "button",
    { type: "button", class: "bd-product-pick", "aria-pressed": "false", onclick: () => selectProduct(product.id) },
    h("span", { class: "bd-thumb checkerboard" }, thumb),
    h(
      "span",
      { class: "bd-product-text" },
      h("span", { class: "bd-product-name", text: product.name || product.id.slice(0, 8) }),
      h("span", {
        class: "hint",
        text: t("apps.backdrop.product.meta", { category, width: product.width, height: product.height }),
      }),
    ),
  );
  const del = h(
    "button",
    {
      type: "button",
      class: "btn btn-sm btn-danger bd-product-delete",
      "aria-label": `${t("apps.backdrop.product.delete")}: ${product.name}`,
      title: t("apps.backdrop.product.delete"),
      onclick: () => deleteProduct(product.id),
    },
    icon("trash"),
  );
  const fresh = h("li", { class: "bd-product", "data-id": product.id }, pick, del);
  if (item) item.replaceWith(fresh);
  else el.products.append(fresh);
  item = fresh;
  el.productsWrap.hidden = false;
}

async function deleteProduct(id) {
  try {
    await fetch(`${API}/products/${encodeURIComponent(id)}`, { method: "DELETE" });
  } catch {
    // gone from the page either way; the server keeps it only if it did not answer
  }
  state.products.delete(id);
  el.products.querySelector(`[data-id="${id}"]`)?.remove();
  el.productsWrap.hidden = state.products.size === 0;
  el.deleted.hidden = false;
  if (state.current === id) {
    state.current = null;
    state.generation += 1;
    const next = [...state.products.keys()][0];
    if (next) selectProduct(next);
    else {
      for (const body of [el.cutoutBody, el.briefBody, el.form, el.rendersBody, el.renderJob]) body.hidden = true;
      setStep("photos");
    }
  }
}

function selectProduct(id) {
  const product = state.products.get(id);
  if (!product) return;
  state.current = id;
  const generation = ++state.generation;
  root.dataset.productId = id;
  for (const btn of el.products.querySelectorAll(".bd-product-pick")) {
    btn.setAttribute("aria-pressed", String(btn.closest("li").dataset.id === id));
  }
  clearError(el.cutoutError);
  clearError(el.bgError);
  clearError(el.rendersError);
  el.rendersBody.hidden = true;
  el.renderJob.hidden = true;
  setStep("backgrounds");
  showCutout(product, generation);
  showBrief(product);
  loadSuggestions(product, generation);
  SECTIONS.cutout.scrollIntoView({ block: "start", behavior: smooth() });
}

el.file.addEventListener("change", () => uploadFiles(el.file.files || []));
let dragDepth = 0;
el.photosStep.addEventListener("dragenter", (event) => {
  if (!event.dataTransfer?.types?.includes("Files")) return;
  event.preventDefault();
  dragDepth += 1;
  el.photosStep.classList.add("is-dragover");
});
el.photosStep.addEventListener("dragover", (event) => {
  if (!event.dataTransfer?.types?.includes("Files")) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "copy";
});
el.photosStep.addEventListener("dragleave", () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (!dragDepth) el.photosStep.classList.remove("is-dragover");
});
el.photosStep.addEventListener("drop", (event) => {
  event.preventDefault();
  dragDepth = 0;
  el.photosStep.classList.remove("is-dragover");
  uploadFiles(event.dataTransfer?.files || []);
});

// ---- 2. the cut-out and its brush --------------------------------------------------------------

const brush = {
  photo: null,
  mask: document.createElement("canvas"), // white where the product is, transparent elsewhere
  layer: document.createElement("canvas"), // the photo cut by the mask, for drawing
  undo: [],
  edits: 0,
  drawing: false,
  last: null,
  width: 0, // the photo's own size
  height: 0,
  frame: 0,
};

async function showCutout(product, generation) {
  el.cutoutBody.hidden = false;
  el.brushStatus.textContent = "";
  el.confidence.textContent = t("apps.backdrop.cutout.confidence", { pct: pct(product.matte.confidence) });
  showFlags(product.matte.flags || []);
  try {
    const [photo, mask] = await Promise.all([
      loadImage(`${product.urls.photo}?v=${product.mask_edited}`),
      loadImage(`${product.urls.mask}?v=${product.mask_edited}`),
    ]);
    if (generation !== state.generation) return;
    startBrush(photo, mask, product.width, product.height);
  } catch (err) {
    if (generation === state.generation) showError(el.cutoutError, err);
  }
}

function showFlags(flags) {
  if (!flags.length) {
    el.flags.hidden = true;
    el.flags.replaceChildren();
    return;
  }
  el.flags.replaceChildren(
    icon("alert"),
    h(
      "div",
      { class: "bd-alert-text" },
      h("strong", { text: t("apps.backdrop.flags.title") }),
      h(
        "ul",
        { class: "bd-flag-list" },
        flags.map((f) =>
          h("li", { "data-code": f.code }, h("span", { text: f.message }), " ", h("span", { class: "bd-flag-next", text: f.next || "" })),
        ),
      ),
    ),
  );
  el.flags.hidden = false;
}

function startBrush(photo, maskImg, width, height) {
  const scale = Math.min(1, WORK_SIDE / Math.max(width, height));
  const w = Math.max(1, Math.round(width * scale));
  const hgt = Math.max(1, Math.round(height * scale));
  Object.assign(brush, { photo, width, height, undo: [], edits: 0, drawing: false, last: null });
  for (const c of [el.canvas, brush.mask, brush.layer]) {
    c.width = w;
    c.height = hgt;
  }
  // The stage is the photo's shape: it fills the width and at most ~70% of the screen.
  el.stage.style.aspectRatio = `${width} / ${height}`;
  el.stage.style.width = `min(100%, calc(70vh * ${width / height}))`;
  // The stored mask is white-on-black; the brush keeps it as white with alpha.
  const m = brush.mask.getContext("2d", { willReadFrequently: true });
  m.clearRect(0, 0, w, hgt);
  m.drawImage(maskImg, 0, 0, w, hgt);
  const data = m.getImageData(0, 0, w, hgt);
  const px = data.data;
  for (let i = 0; i < px.length; i += 4) {
    const a = px[i];
    px[i] = px[i + 1] = px[i + 2] = 255;
    px[i + 3] = a;
  }
  m.putImageData(data, 0, 0);
  updateBrushButtons();
  redraw();
}

function redraw() {
  brush.frame = 0;
  const { photo } = brush;
  if (!photo) return;
  const w = el.canvas.width;
  const hgt = el.canvas.height;
  const layer = brush.layer.getContext("2d");
  layer.globalCompositeOperation = "source-over";
  layer.clearRect(0, 0, w, hgt);
  layer.drawImage(photo, 0, 0, w, hgt);
  layer.globalCompositeOperation = "destination-in";
  layer.drawImage(brush.mask, 0, 0);
  layer.globalCompositeOperation = "source-over";
  const view = el.canvas.getContext("2d");
  view.clearRect(0, 0, w, hgt);
  view.globalAlpha = 0.25; // what is left out stays visible, faded, so it can be painted back
  view.drawImage(photo, 0, 0, w, hgt);
  view.globalAlpha = 1;
  view.drawImage(brush.layer, 0, 0);
}

function scheduleRedraw() {
  if (!brush.frame) brush.frame = requestAnimationFrame(redraw);
}

function mode() {
  return document.querySelector('input[name="bd-mode"]:checked')?.value || "add";
}

function canvasPoint(event) {
  const rect = el.canvas.getBoundingClientRect();
  const sx = el.canvas.width / rect.width;
  return {
    x: (event.clientX - rect.left) * sx,
    y: (event.clientY - rect.top) * (el.canvas.height / rect.height),
    scale: sx,
  };
}

function paint(from, to) {
  const m = brush.mask.getContext("2d");
  m.globalCompositeOperation = mode() === "add" ? "source-over" : "destination-out";
  m.strokeStyle = "#fff";
  m.fillStyle = "#fff";
  m.lineCap = "round";
  m.lineJoin = "round";
  m.lineWidth = Number(el.size.value) * to.scale;
  m.beginPath();
  m.moveTo(from.x, from.y);
  m.lineTo(to.x + 0.01, to.y);
  m.stroke();
  m.globalCompositeOperation = "source-over";
  scheduleRedraw();
}

el.canvas.addEventListener("pointerdown", (event) => {
  if (!brush.photo || event.button > 0) return;
  event.preventDefault();
  el.canvas.setPointerCapture(event.pointerId);
  const m = brush.mask.getContext("2d", { willReadFrequently: true });
  brush.undo.push(m.getImageData(0, 0, brush.mask.width, brush.mask.height));
  if (brush.undo.length > UNDO_DEPTH) brush.undo.shift();
  brush.drawing = true;
  brush.last = canvasPoint(event);
  paint(brush.last, brush.last);
});
el.canvas.addEventListener("pointermove", (event) => {
  if (!brush.drawing) return;
  const p = canvasPoint(event);
  paint(brush.last, p);
  brush.last = p;
});
for (const type of ["pointerup", "pointercancel", "lostpointercapture"]) {
  el.canvas.addEventListener(type, () => {
    if (!brush.drawing) return;
    brush.drawing = false;
    brush.edits += 1;
    updateBrushButtons();
  });
}

function updateBrushButtons() {
  el.undo.disabled = brush.undo.length === 0;
  el.reset.disabled = brush.edits === 0;
  el.apply.disabled = brush.edits === 0;
  root.dataset.brushEdits = String(brush.edits);
}

el.size.addEventListener("input", () => {
  el.sizeOut.textContent = el.size.value;
});
el.undo.addEventListener("click", () => {
  const snapshot = brush.undo.pop();
  if (!snapshot) return;
  brush.mask.getContext("2d").putImageData(snapshot, 0, 0);
  brush.edits = Math.max(0, brush.edits - 1);
  updateBrushButtons();
  redraw();
});
el.reset.addEventListener("click", () => {
  const product = state.products.get(state.current);
  if (product) showCutout(product, state.generation);
});
el.apply.addEventListener("click", async () => {
  const id = state.current;
  const generation = state.generation;
  if (!id || !brush.edits) {
    el.brushStatus.textContent = t("apps.backdrop.brush.unchanged");
    return;
  }
  clearError(el.cutoutError);
  setBusy(el.apply, true);
  try {
    const full = document.createElement("canvas");
    full.width = brush.width;
    full.height = brush.height;
    const f = full.getContext("2d");
    f.imageSmoothingEnabled = true;
    f.drawImage(brush.mask, 0, 0, brush.width, brush.height);
    const blob = await new Promise((resolve) => full.toBlob(resolve, "image/png"));
    const form = new FormData();
    form.append("file", blob, "mask.png");
    const product = await api(`${API}/products/${encodeURIComponent(id)}/mask`, { method: "PUT", body: form });
    if (generation !== state.generation) return;
    product.name = product.name || state.products.get(id)?.name;
    addProduct(product);
    selectProduct(id);
    el.brushStatus.textContent = t("apps.backdrop.brush.applied");
    root.dataset.maskApplied = String(product.mask_edited);
  } catch (err) {
    if (generation === state.generation) showError(el.cutoutError, err);
  } finally {
    setBusy(el.apply, false);
    updateBrushButtons();
  }
});

// ---- 3. the brief ------------------------------------------------------------------------------

function showBrief(product) {
  const b = product.brief;
  el.briefBody.hidden = false;
  el.briefText.textContent = typeof b.text === "string" ? b.text : b.text?.en || "";
  const swatches = h(
    "span",
    { class: "bd-swatches" },
    (b.palette || []).map((hex) => {
      const s = h("span", { class: "bd-swatch", title: hex, "data-hex": hex });
      s.style.background = hex;
      return s;
    }),
  );
  const a = product.analysis;
  const light = b.lighting || {};
  const rows = [
    ["product", `${tOr(`apps.backdrop.category.${a.category}`, a.category)} · ${tOr(`apps.backdrop.material.${a.main_material}`, a.main_material)}`],
    ["lighting", tOr(`apps.backdrop.lighting.${light.style}`, light.style || "")],
    ["mood", tOr(`apps.backdrop.mood.${b.mood}`, b.mood)],
    ["scheme", tOr(`apps.backdrop.scheme.${b.colour_scheme}`, b.colour_scheme)],
    ["palette", swatches],
    ["props", (b.props || []).map((p) => tOr(`apps.backdrop.prop.${p}`, p.replace(/_/g, " "))).join(", ") || "—"],
  ];
  el.facts.replaceChildren(
    ...rows.flatMap(([key, value]) => [
      h("dt", { text: t(`apps.backdrop.brief.${key}`) }),
      h("dd", { "data-fact": key }, value),
    ]),
  );
}

// ---- 4. backgrounds ----------------------------------------------------------------------------

async function loadSuggestions(product, generation) {
  el.form.hidden = false;
  el.suggestions.replaceChildren();
  el.suggestNone.hidden = true;
  el.suggestLoading.hidden = false;
  updatePicks();
  try {
    const { items } = await api(`${API}/products/${encodeURIComponent(product.id)}/suggestions?k=${SUGGEST_K}`);
    if (generation !== state.generation) return;
    el.suggestions.replaceChildren(...items.map((s, i) => suggestionCard(s, i < DEFAULT_PICKS)));
    el.suggestNone.hidden = items.length > 0;
    root.dataset.suggestions = String(items.length);
  } catch (err) {
    if (generation === state.generation) showError(el.bgError, err);
  } finally {
    if (generation === state.generation) el.suggestLoading.hidden = true;
    updatePicks();
  }
}

function suggestionCard(s, checked) {
  const a = s.asset;
  const input = h("input", { type: "checkbox", name: "asset", value: a.id, checked, onchange: updatePicks });
  return h(
    "li",
    { class: "bd-suggestion", "data-asset": a.id, "data-kind": a.kind },
    h(
      "label",
      {},
      input,
      // its main colour stands in while the thumbnail loads (a fresh library paints them first)
      h("img", {
        src: a.thumb_url,
        alt: a.description_text || a.name_text || a.name,
        loading: "lazy",
        style: HEX.test(a.colours?.[0] || "") ? `background-color: ${a.colours[0]}` : null,
      }),
      h(
        "span",
        { class: "bd-suggestion-text" },
        h("span", { class: "bd-suggestion-name", text: a.name_text || a.name }),
        h("span", { class: "hint", text: t("apps.backdrop.suggest.score", { pct: pct(s.score) }) }),
      ),
    ),
  );
}

function picked() {
  return [...el.suggestions.querySelectorAll('input[name="asset"]:checked')].map((i) => i.value);
}

function updatePicks() {
  const ids = picked();
  el.pickCount.textContent = ids.length ? t("apps.backdrop.suggest.count", { count: ids.length }) : "";
  el.renderBtn.disabled = ids.length === 0 || ids.length > MAX_PICKS || !state.current;
}

async function loadPresets() {
  try {
    state.presets = await api(`${API}/presets`);
  } catch {
    state.presets = [];
  }
  el.preset.append(
    ...state.presets.map((p) => h("option", { value: p.id, text: `${p.name} (${p.width}×${p.height})` })),
  );
}

el.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const id = state.current;
  const ids = picked();
  if (!id || !ids.length) return;
  const generation = state.generation;
  clearError(el.rendersError);
  el.rendersBody.hidden = true;
  setStep("renders");
  setBusy(el.renderBtn, true);
  try {
    const body = { product_id: id, asset_ids: ids, preset: el.preset.value || null };
    const { run, job } = await api(`${API}/renders`, { method: "POST", body });
    showJob(el.renderJob, job);
    el.rendersStep.scrollIntoView({ block: "start", behavior: smooth() });
    const end = await followJob(job.id, (j) => showJob(el.renderJob, j));
    if (end.status !== "succeeded") throw jobError(end);
    const done = await finishedRun(run.id);
    if (done.status !== "succeeded") throw jobError(done);
    if (generation !== state.generation) return;
    showRenders(done);
  } catch (err) {
    if (generation === state.generation) showError(el.rendersError, err);
  } finally {
    setBusy(el.renderBtn, false);
    updatePicks();
  }
});

function showRenders(run) {
  const product = state.products.get(run.product_id);
  const names = new Map(
    [...el.suggestions.querySelectorAll(".bd-suggestion")].map((li) => [li.dataset.asset, li.querySelector(".bd-suggestion-name").textContent]),
  );
  el.grid.replaceChildren(
    ...(run.renders || []).map((r) => {
      // the cards' names are in the page's language; the job's are the library's own
      const bg = names.get(r.asset_id) || r.asset_name || r.asset_id;
      const c = r.compliance;
      const preset = state.presets.find((p) => p.id === r.preset)?.name || r.preset;
      const badge = c
        ? h(
            "span",
            { class: `bd-badge ${c.ok ? "is-ok" : "is-bad"}`, "data-ok": String(c.ok), title: c.checks.filter((x) => !x.ok).map((x) => x.message).join(" ") },
            c.ok ? icon("check") : icon("alert"),
            h("span", { text: t(c.ok ? "apps.backdrop.compliance.ok" : "apps.backdrop.compliance.bad", { preset }) }),
          )
        : h("span", { class: "bd-badge", text: t("apps.backdrop.compliance.none") });
      const failed = c ? c.checks.filter((x) => !x.ok) : [];
      const ext = r.file.split(".").pop();
      return h(
        "li",
        { class: "bd-render", "data-n": r.n, "data-asset": r.asset_id },
        h("img", {
          src: r.url,
          alt: t("apps.backdrop.render.alt", { product: product?.name || "", background: bg }),
          loading: "lazy",
        }),
        h(
          "div",
          { class: "bd-render-meta" },
          h("span", { class: "bd-render-name", text: bg }),
          badge,
          failed.length ? h("ul", { class: "hint bd-checks" }, failed.map((x) => h("li", { text: x.message }))) : null,
          h(
            "a",
            { class: "btn btn-sm btn-secondary bd-download", href: r.url, download: `backdrop-${r.n}.${ext}` },
            icon("download"),
            h("span", { text: t("apps.backdrop.render.download") }),
          ),
        ),
      );
    }),
  );
  el.zip.href = run.zip_url;
  el.zip.setAttribute("download", `backdrop-${run.id.slice(0, 8)}.zip`);
  el.rendersBody.hidden = false;
  root.dataset.renders = String((run.renders || []).length);
}

el.ownFile.addEventListener("change", async () => {
  const file = el.ownFile.files?.[0];
  el.ownFile.value = "";
  if (!file) return;
  clearError(el.bgError);
  el.ownStatus.textContent = t("apps.backdrop.preparing", { name: file.name });
  try {
    const photo = await prepareImage(file, { maxSide: MAX_SIDE, maxBytes: MAX_BYTES });
    const form = new FormData();
    form.append("file", photo.blob, file.name || "background.jpg");
    const asset = await api(`${API}/assets`, { method: "POST", body: form });
    el.ownStatus.textContent = t("apps.backdrop.own.added", { description: asset.description_text || asset.name_text || asset.name });
    const product = state.products.get(state.current);
    if (product) loadSuggestions(product, state.generation);
  } catch (err) {
    el.ownStatus.textContent = "";
    showError(el.bgError, err);
  }
});

el.generate.addEventListener("click", async () => {
  const id = state.current;
  if (!id) return;
  clearError(el.bgError);
  setBusy(el.generate, true);
  try {
    const { run, job } = await api(`${API}/generate`, { method: "POST", body: { product_id: id } });
    el.ownStatus.textContent = t("apps.backdrop.generate.running");
    const end = await followJob(job.id, () => {});
    if (end.status !== "succeeded") throw jobError(end);
    await finishedRun(run.id); // adds it to the library
    el.ownStatus.textContent = t("apps.backdrop.generate.done");
    const product = state.products.get(state.current);
    if (product) loadSuggestions(product, state.generation);
  } catch (err) {
    el.ownStatus.textContent = "";
    showError(el.bgError, err);
  } finally {
    setBusy(el.generate, false);
  }
});

// ---- batch -------------------------------------------------------------------------------------

el.batchFile.addEventListener("change", () => {
  const n = el.batchFile.files?.length || 0;
  el.batchChosen.textContent = n ? t("apps.backdrop.batch.chosen", { count: n }) : "";
  el.batchStart.disabled = n === 0;
});

el.batchForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const files = [...(el.batchFile.files || [])];
  if (!files.length) return;
  clearError(el.batchError);
  el.batchResult.hidden = true;
  setBusy(el.batchStart, true);
  try {
    const form = new FormData();
    for (const file of files) {
      const isZip = /\.zip$/i.test(file.name) || file.type.includes("zip");
      if (isZip) {
        form.append("files", file, file.name);
      } else {
        const photo = await prepareImage(file, { maxSide: MAX_SIDE, maxBytes: MAX_BYTES });
        form.append("files", photo.blob, file.name);
      }
    }
    form.append("k", el.batchK.value);
    if (el.preset.value) form.append("preset", el.preset.value);
    const { run, job } = await api(`${API}/batches`, { method: "POST", body: form });
    showJob(el.batchJob, job);
    const end = await followJob(job.id, (j) => showJob(el.batchJob, j));
    if (end.status !== "succeeded") throw jobError(end);
    const done = await finishedRun(run.id);
    if (done.status !== "succeeded") throw jobError(done);
    el.batchDone.textContent = t("apps.backdrop.batch.done", { count: (done.products || []).length });
    el.batchSheet.src = done.contact_sheet_url;
    el.batchZip.href = done.zip_url;
    el.batchZip.setAttribute("download", `backdrop-batch-${done.id.slice(0, 8)}.zip`);
    el.batchSkipped.replaceChildren(
      ...(done.skipped || []).map((s) => h("li", { text: t("apps.backdrop.batch.skipped", s) })),
    );
    el.batchResult.hidden = false;
    root.dataset.batch = "done";
  } catch (err) {
    showError(el.batchError, err);
  } finally {
    setBusy(el.batchStart, false);
    el.batchStart.disabled = !(el.batchFile.files?.length);
  }
});

// ---- start -------------------------------------------------------------------------------------

async function start() {
  await loadPresets();
  try {
    const products = await api(`${API}/products`);
    for (const p of products.reverse()) addProduct(p);
  } catch {
    // an empty list: the page still works for new uploads
  }
  root.dataset.ready = "true";
}

start();
