// Tag Scanner page: photo → crop box → read the code → confirm → product card.
//
// 1. The photo is decoded in the browser with its EXIF orientation applied, scaled so its longest
//    side is at most 2000 px and re-encoded as JPEG (quality 0.9, lowered if it would pass 3 MB).
//    That JPEG is what gets uploaded, so the crop box is kept in its pixels.
// 2. The crop box is moved and resized with pointer events (mouse, pen and touch alike) or the
//    keyboard; "Auto-find" sends no box and lets the server find the code line.
// 3. POST /api/v1/tags/scan → the best code (editable), its confidence and the alternatives.
// 4. POST /api/v1/tags/scans/{id}/confirm → the product card (or "not found").
// 5. GET /api/v1/tags/stats → "Your accuracy" over the last 30 days.

import { ApiError, api, h } from "/static/js/api.js";
import { PhotoError, prepareImage } from "/static/js/photo.js";
import { lang, pageMessages } from "/static/js/i18n.js";

const MAX_SIDE = 2000;
const MAX_BYTES = 3 * 1024 * 1024;
const STATS_DAYS = 30;
const LABEL_RE = /^[A-Z0-9][A-Z0-9 -]{0,39}$/;
const NEW_TAB = { target: "_blank", rel: "noopener noreferrer" };

// ---- messages ----------------------------------------------------------------------------------

const { t, messages } = pageMessages("tags-i18n");

const numberFmt = new Intl.NumberFormat(lang);
const percentOf = (ratio) => Math.round(Math.max(0, Math.min(1, ratio)) * 100);
const scoreText = (ratio) => (ratio < 0.005 ? "<1%" : `${percentOf(ratio)}%`);

function formatBytes(bytes) {
  if (bytes < 1024 * 1024) return `${numberFmt.format(Math.max(1, Math.round(bytes / 1024)))} KB`;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(bytes / 1048576)} MB`;
}

/** A price in minor units (as the catalog stores it) → "₩129,000", "$119.99" (page language). */
export function formatPrice(price, currency, fallback) {
  if (price === null || price === undefined || price === "" || !currency) return fallback || null;
  try {
    const code = currency.toUpperCase();
    const fmt = new Intl.NumberFormat(lang, { style: "currency", currency: code });
    const digits = fmt.resolvedOptions().maximumFractionDigits;
    return fmt.format(Number(price) / 10 ** digits);
  } catch {
    return fallback || `${price} ${currency}`;
  }
}

// ---- elements ----------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
const root = $("tags");
const photoStep = $("tags-photo");
const fileInput = $("tags-file");
const drop = $("tags-drop");
const preparing = $("tags-preparing");
const editor = $("tags-editor");
const stage = $("tags-stage");
const image = $("tags-image");
const crop = $("tags-crop");
const cropSize = $("tags-crop-size");
const help = $("tags-help");
const meta = $("tags-photo-meta");
const readButton = $("tags-read");
const changeButton = $("tags-change");
const photoError = $("tags-photo-error");

const resultStep = $("tags-result");
const form = $("tags-confirm-form");
const cropImg = $("tags-crop-img");
const codeInput = $("tags-code");
const nothing = $("tags-nothing");
const confidence = $("tags-confidence");
const confidenceValue = $("tags-confidence-value");
const meter = $("tags-meter");
const alts = $("tags-alts");
const local = $("tags-local");
const timing = $("tags-timing");
const confirmButton = $("tags-confirm");
const resultError = $("tags-result-error");

const productStep = $("tags-product");
const productBody = $("tags-product-body");

const providerEnabled = root?.dataset.provider === "on";

const state = {
  photo: null, // {blob, url, width, height}
  box: null, // {x, y, w, h} in photo pixels (floats while dragging)
  mode: "crop",
  scan: null,
  localMatch: null, // the code (letters and digits) the "In the catalog" line is about
  busy: false,
};

function icon(name) {
  const tpl = document.getElementById(`tags-icon-${name}`);
  return tpl ? tpl.content.firstElementChild.cloneNode(true) : null;
}

// ---- errors ------------------------------------------------------------------------------------


const ERROR_KINDS = {
  unsupported_type: "not_image",
  corrupt_image: "not_image",
  truncated_image: "not_image",
  empty_file: "not_image",
  bad_dimensions: "not_image",
  file_too_large: "too_large",
  image_too_large: "too_large",
  payload_too_large: "too_large",
  request_too_large: "too_large",
  invalid_crop: "crop",
  empty_crop: "crop",
  crop_out_of_bounds: "crop",
  invalid_label: "label",
};

function describe(err) {
  if (err instanceof PhotoError) return { kind: err.kind };
  if (err instanceof ApiError) {
    if (err.status === 0) return { kind: "network" };
    if (ERROR_KINDS[err.code]) return { kind: ERROR_KINDS[err.code], detail: err.message };
    if (err.status === 413) return { kind: "too_large", detail: err.message };
    if (err.status === 404) return { kind: "gone", detail: err.message };
    if (err.status >= 500) return { kind: "server", detail: err.message };
    return { kind: "other", detail: err.message };
  }
  console.warn(err); // eslint-disable-line no-console
  return { kind: "other", detail: String(err?.message || err) };
}

function showError(box, err) {
  const { kind, detail } = describe(err);
  const next = t(`apps.tags.error.${kind}.next`, { message: detail || "" });
  const text = h("p", {}, h("strong", { text: t(`apps.tags.error.${kind}.title`) }), next);
  if (detail && kind !== "other") text.append(h("span", { class: "alert-detail", text: detail }));
  box.replaceChildren(...[icon("alert"), text].filter(Boolean));
  box.dataset.kind = kind;
  box.hidden = false;
  box.scrollIntoView({ block: "nearest", behavior: smooth() });
}

function clearError(box) {
  box.hidden = true;
  box.replaceChildren();
  delete box.dataset.kind;
}

const smooth = () =>
  window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";

// ---- busy buttons ------------------------------------------------------------------------------

function setBusy(button, busy) {
  const label = button.querySelector(".btn-label");
  if (!button.dataset.idleLabel) button.dataset.idleLabel = label.textContent;
  label.textContent = busy ? button.dataset.busyLabel : button.dataset.idleLabel;
  button.disabled = busy;
  button.setAttribute("aria-busy", String(busy));
  root.dataset.busy = String(busy);
}

// ---- 1. the photo ------------------------------------------------------------------------------

/** The photo as the JPEG we upload: upright, longest side ≤ 2000 px, under 3 MB. */
export function preparePhoto(file) {
  return prepareImage(file, { maxSide: MAX_SIDE, maxBytes: MAX_BYTES, keepSmall: false });
}

async function useFile(file) {
  if (!file || state.busy) return;
  clearError(photoError);
  preparing.hidden = false;
  let photo;
  try {
    photo = await preparePhoto(file);
  } catch (err) {
    preparing.hidden = true;
    showError(photoError, err);
    return;
  }
  const url = URL.createObjectURL(photo.blob);
  image.src = url;
  try {
    await image.decode();
  } catch {
    // decode() can reject for a detached image; the load still happens
  }
  if (state.photo) URL.revokeObjectURL(state.photo.url);
  state.photo = { ...photo, url };
  state.box = defaultBox(photo.width, photo.height);
  preparing.hidden = true;
  drop.hidden = true;
  editor.hidden = false;
  image.width = photo.width;
  image.height = photo.height;
  meta.textContent = t("apps.tags.photo.meta", {
    w: photo.width,
    h: photo.height,
    size: formatBytes(photo.blob.size),
  });
  root.dataset.photo = `${photo.width}x${photo.height}`;
  root.dataset.bytes = String(photo.blob.size);
  resetStep(resultStep);
  resetStep(productStep);
  renderBox();
  editor.scrollIntoView({ block: "nearest", behavior: smooth() });
}

function defaultBox(width, height) {
  // A wide, short box in the middle: the shape of a code line.
  const w = width * 0.6;
  const h = Math.min(height * 0.2, w * 0.35);
  return { x: (width - w) / 2, y: (height - h) / 2, w, h };
}

fileInput.addEventListener("change", () => {
  const [file] = fileInput.files;
  fileInput.value = ""; // choosing the same file again still fires "change"
  useFile(file);
});

changeButton.addEventListener("click", () => fileInput.click());

// Drag and drop anywhere on the photo step; paste works too.
let dragDepth = 0;
photoStep.addEventListener("dragenter", (e) => {
  if (![...(e.dataTransfer?.types || [])].includes("Files")) return;
  e.preventDefault();
  dragDepth += 1;
  photoStep.classList.add("is-dragover");
});
photoStep.addEventListener("dragover", (e) => {
  if (![...(e.dataTransfer?.types || [])].includes("Files")) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = "copy";
});
photoStep.addEventListener("dragleave", () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (!dragDepth) photoStep.classList.remove("is-dragover");
});
photoStep.addEventListener("drop", (e) => {
  e.preventDefault();
  dragDepth = 0;
  photoStep.classList.remove("is-dragover");
  const file = [...(e.dataTransfer?.files || [])][0];
  useFile(file);
});
document.addEventListener("paste", (e) => {
  const file = [...(e.clipboardData?.files || [])].find((f) => f.type.startsWith("image/"));
  if (file) useFile(file);
});

// ---- 2. the crop box ---------------------------------------------------------------------------

function minSide() {
  const { width, height } = state.photo;
  return Math.max(8, Math.round(Math.max(width, height) * 0.015));
}

function clampBox(box) {
  const { width, height } = state.photo;
  const min = minSide();
  const w = Math.min(Math.max(box.w, min), width);
  const h = Math.min(Math.max(box.h, min), height);
  return {
    x: Math.min(Math.max(box.x, 0), width - w),
    y: Math.min(Math.max(box.y, 0), height - h),
    w,
    h,
  };
}

/** The box in whole photo pixels, inside the photo: what the server gets as "x,y,w,h". */
function cropPixels() {
  const { width, height } = state.photo;
  const b = state.box;
  const x = Math.max(0, Math.min(width - 1, Math.round(b.x)));
  const y = Math.max(0, Math.min(height - 1, Math.round(b.y)));
  const w = Math.max(1, Math.min(width - x, Math.round(b.w)));
  const h = Math.max(1, Math.min(height - y, Math.round(b.h)));
  return { x, y, w, h };
}

function renderBox() {
  if (!state.photo || !state.box) return;
  const { width, height } = state.photo;
  const b = state.box;
  crop.style.left = `${(b.x / width) * 100}%`;
  crop.style.top = `${(b.y / height) * 100}%`;
  crop.style.width = `${(b.w / width) * 100}%`;
  crop.style.height = `${(b.h / height) * 100}%`;
  crop.classList.toggle("is-low", b.y < height * 0.08);
  const px = cropPixels();
  cropSize.textContent = t("apps.tags.crop.size", { w: px.w, h: px.h });
  crop.dataset.crop = `${px.x},${px.y},${px.w},${px.h}`;
}

/** Move (handle "move"), resize from a corner ("nw", "ne", "sw", "se") or draw ("draw"). */
function dragged(start, handle, dx, dy, anchor) {
  const { width, height } = state.photo;
  const min = minSide();
  if (handle === "move") return clampBox({ ...start, x: start.x + dx, y: start.y + dy });
  if (handle === "draw") {
    const x2 = Math.min(Math.max(anchor.x + dx, 0), width);
    const y2 = Math.min(Math.max(anchor.y + dy, 0), height);
    const x = Math.min(anchor.x, x2);
    const y = Math.min(anchor.y, y2);
    return clampBox({ x, y, w: Math.abs(x2 - anchor.x), h: Math.abs(y2 - anchor.y) });
  }
  let left = start.x;
  let top = start.y;
  let right = start.x + start.w;
  let bottom = start.y + start.h;
  if (handle.includes("w")) left = Math.min(Math.max(left + dx, 0), right - min);
  if (handle.includes("e")) right = Math.max(Math.min(right + dx, width), left + min);
  if (handle.includes("n")) top = Math.min(Math.max(top + dy, 0), bottom - min);
  if (handle.includes("s")) bottom = Math.max(Math.min(bottom + dy, height), top + min);
  return { x: left, y: top, w: right - left, h: bottom - top };
}

let drag = null;

function pointInPhoto(e) {
  const rect = stage.getBoundingClientRect();
  return {
    x: ((e.clientX - rect.left) / rect.width) * state.photo.width,
    y: ((e.clientY - rect.top) / rect.height) * state.photo.height,
  };
}

function startDrag(e, handle, target) {
  const rect = stage.getBoundingClientRect();
  drag = {
    id: e.pointerId,
    handle,
    target,
    startX: e.clientX,
    startY: e.clientY,
    moved: false,
    box: { ...state.box },
    anchor: pointInPhoto(e),
    scaleX: state.photo.width / rect.width,
    scaleY: state.photo.height / rect.height,
  };
  try {
    target.setPointerCapture(e.pointerId);
  } catch {
    // the pointer may already be gone
  }
  crop.classList.add("is-dragging");
}

crop.addEventListener("pointerdown", (e) => {
  if (!state.photo || (e.pointerType === "mouse" && e.button !== 0)) return;
  e.preventDefault();
  e.stopPropagation();
  const handle = e.target.closest("[data-handle]")?.dataset.handle || "move";
  crop.focus({ preventScroll: true });
  startDrag(e, handle, crop);
});

stage.addEventListener("pointerdown", (e) => {
  if (!state.photo || state.mode !== "crop" || e.target.closest(".crop-box")) return;
  if (e.pointerType === "mouse" && e.button !== 0) return;
  if (e.pointerType === "touch") {
    // A finger on the photo may be scrolling the page: a tap (pointerup without a scroll)
    // moves the box there; dragging is done on the box itself.
    drag = { id: e.pointerId, handle: "tap", startX: e.clientX, startY: e.clientY, moved: false };
    return;
  }
  e.preventDefault();
  startDrag(e, "draw", stage);
});

function onMove(e) {
  if (!drag || e.pointerId !== drag.id) return;
  const dxScreen = e.clientX - drag.startX;
  const dyScreen = e.clientY - drag.startY;
  if (Math.abs(dxScreen) + Math.abs(dyScreen) > 3) drag.moved = true;
  if (drag.handle === "tap") return;
  e.preventDefault();
  if (drag.handle === "draw" && !drag.moved) return;
  const dx = dxScreen * drag.scaleX;
  const dy = dyScreen * drag.scaleY;
  state.box = dragged(drag.box, drag.handle, dx, dy, drag.anchor);
  renderBox();
}

function onUp(e) {
  if (!drag || e.pointerId !== drag.id) return;
  const wasClick = !drag.moved && (drag.handle === "draw" || drag.handle === "tap");
  const done = drag;
  drag = null;
  crop.classList.remove("is-dragging");
  if (wasClick && e.type === "pointerup") {
    // A click or tap on the photo centres the box there.
    const p = pointInPhoto(e);
    state.box = clampBox({ ...state.box, x: p.x - state.box.w / 2, y: p.y - state.box.h / 2 });
    renderBox();
  }
  if (done.target?.hasPointerCapture?.(e.pointerId)) done.target.releasePointerCapture(e.pointerId);
}

for (const el of [crop, stage]) {
  el.addEventListener("pointermove", onMove);
  el.addEventListener("pointerup", onUp);
  el.addEventListener("pointercancel", onUp);
}
stage.addEventListener("dragstart", (e) => e.preventDefault());

crop.addEventListener("keydown", (e) => {
  const keys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  if (!state.photo || !keys[e.key]) return;
  e.preventDefault();
  const [kx, ky] = keys[e.key];
  const longest = Math.max(state.photo.width, state.photo.height);
  const step = Math.max(1, Math.round(longest / (e.altKey ? 500 : 100))); // Alt: fine steps
  const b = state.box;
  state.box = e.shiftKey
    ? clampBox({ ...b, w: b.w + kx * step, h: b.h + ky * step })
    : clampBox({ ...b, x: b.x + kx * step, y: b.y + ky * step });
  renderBox();
});

window.addEventListener("resize", renderBox);

for (const radio of document.querySelectorAll('#tags-mode input[name="mode"]')) {
  radio.addEventListener("change", () => {
    if (!radio.checked) return;
    state.mode = radio.value;
    stage.classList.toggle("is-auto", state.mode === "auto");
    help.textContent = state.mode === "auto" ? help.dataset.auto : help.dataset.crop;
  });
}

// ---- 3. read the code --------------------------------------------------------------------------

readButton.addEventListener("click", async () => {
  if (!state.photo || state.busy) return;
  state.busy = true;
  clearError(photoError);
  setBusy(readButton, true);
  const body = new FormData();
  body.append("file", state.photo.blob, "tag.jpg");
  if (state.mode === "crop") {
    const px = cropPixels();
    body.append("crop", `${px.x},${px.y},${px.w},${px.h}`);
  }
  const started = performance.now();
  try {
    const scan = await api("/api/v1/tags/scan", { method: "POST", body });
    showResult(scan, performance.now() - started);
  } catch (err) {
    showError(photoError, err);
  } finally {
    state.busy = false;
    setBusy(readButton, false);
  }
});

function activate(step) {
  step.dataset.active = "true";
  step.querySelector(".step-body").hidden = false;
}

function resetStep(step) {
  step.dataset.active = "false";
  step.querySelector(".step-body").hidden = true;
  if (step === productStep) productBody.replaceChildren();
  if (step === resultStep) {
    state.scan = null;
    clearError(resultError);
  }
}

function confidenceLevel(value) {
  if (value >= 0.85) return "high";
  if (value >= 0.6) return "medium";
  return "low";
}

function showResult(scan, totalMs) {
  state.scan = scan;
  resetStep(productStep);
  clearError(resultError);
  activate(resultStep);
  resultStep.dataset.scanId = scan.id;

  cropImg.src = scan.crop_url;
  codeInput.value = scan.code || "";
  codeInput.removeAttribute("aria-invalid");
  nothing.hidden = Boolean(scan.code);

  const value = scan.code ? Number(scan.confidence) || 0 : 0;
  const level = confidenceLevel(value);
  const pct = percentOf(value);
  confidence.dataset.level = level;
  const levelText = t(`apps.tags.confidence.${level}`);
  confidenceValue.textContent = t("apps.tags.confidence.value", { pct, level: levelText });
  meter.setAttribute("aria-valuenow", String(pct));
  meter.setAttribute("aria-valuetext", confidenceValue.textContent);
  meter.firstElementChild.style.width = `${pct}%`;

  const others = (scan.alternatives || [])
    .filter((a) => a.code && a.code !== scan.code)
    .slice(0, 6);
  if (others.length) {
    alts.replaceChildren(
      ...others.map((alt) =>
        h(
          "button",
          {
            type: "button",
            class: "alt-chip",
            "data-code": alt.code,
            "aria-pressed": "false",
            "aria-label": t("apps.tags.alt.use", { code: alt.code, pct: scoreText(alt.score) }),
            onclick: () => pickAlternative(alt.code),
          },
          alt.code,
          h("small", { text: scoreText(alt.score) }),
        ),
      ),
    );
  } else {
    alts.replaceChildren(h("p", { class: "alts-none", text: t("apps.tags.alts.none") }));
  }

  const match = (scan.local_matches || []).find((m) => !m.match || m.match === "exact");
  state.localMatch = match ? codeKey(scan.code) : null;
  local.hidden = !match;
  if (match) {
    const name = productTitle(match);
    local.querySelector("span").textContent = t("apps.tags.local_hint", { name });
  }

  timing.querySelector("span").textContent = t("apps.tags.timing", {
    ms: numberFmt.format(scan.recognize_ms ?? 0),
    total: numberFmt.format(Math.round(totalMs)),
  });

  resultStep.scrollIntoView({ block: "start", behavior: smooth() });
  $("tags-result-title").focus({ preventScroll: true });
}

function pickAlternative(code) {
  codeInput.value = code;
  codeInput.dispatchEvent(new Event("input"));
  codeInput.focus();
}

function syncChips() {
  const value = normalizeLabel(codeInput.value);
  for (const chip of alts.querySelectorAll(".alt-chip")) {
    chip.setAttribute("aria-pressed", String(chip.dataset.code === value));
  }
}

/** What codes are matched on: letters and digits only ("cw2288 111" → "CW2288111"). */
function codeKey(text) {
  return (text || "").toUpperCase().replace(/[^A-Z0-9]/g, "");
}

function normalizeLabel(text) {
  return text.trim().toUpperCase().replace(/\s+/g, " ");
}

codeInput.addEventListener("input", () => {
  const { selectionStart, selectionEnd } = codeInput;
  const upper = codeInput.value.toUpperCase();
  if (upper !== codeInput.value) {
    codeInput.value = upper;
    codeInput.setSelectionRange(selectionStart, selectionEnd);
  }
  codeInput.removeAttribute("aria-invalid");
  syncChips();
  // "In the catalog: …" is about the code that was read; hide it once the code is changed.
  local.hidden = !state.localMatch || codeKey(codeInput.value) !== state.localMatch;
});

// ---- 4. confirm → product ----------------------------------------------------------------------

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!state.scan || state.busy) return;
  const label = normalizeLabel(codeInput.value);
  clearError(resultError);
  if (!label || !LABEL_RE.test(label)) {
    codeInput.setAttribute("aria-invalid", "true");
    showError(resultError, new PhotoError(label ? "label" : "empty"));
    codeInput.focus();
    return;
  }
  codeInput.value = label;
  state.busy = true;
  setBusy(confirmButton, true);
  try {
    const answer = await api(`/api/v1/tags/scans/${state.scan.id}/confirm`, {
      method: "POST",
      body: { label },
    });
    showProduct(answer, label);
    loadStats();
  } catch (err) {
    if (err instanceof ApiError && err.code === "invalid_label") {
      codeInput.setAttribute("aria-invalid", "true");
    }
    showError(resultError, err);
  } finally {
    state.busy = false;
    setBusy(confirmButton, false);
  }
});

function productTitle(p) {
  return p.name || p.title || p.code || "";
}

function sourceOf(product, lookup) {
  if (product?.is_demo || product?.source === "demo") return "demo";
  if (lookup.source === "naver" || product?.source === "naver") return "naver";
  return "local";
}

function isLocalUrl(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//");
}

function isWebUrl(url) {
  try {
    return ["http:", "https:"].includes(new URL(url, location.href).protocol);
  } catch {
    return false;
  }
}

function feedbackLine(scan, label) {
  let text;
  if (!state.scan?.code) text = t("apps.tags.feedback.typed");
  else if (scan?.corrected) text = t("apps.tags.feedback.corrected", { guess: state.scan.code });
  else text = t("apps.tags.feedback.correct");
  const attrs = { class: "tags-feedback", "data-corrected": String(Boolean(scan?.corrected)) };
  return h("p", { ...attrs, "data-label": label }, icon("check") || "", text);
}

function showProduct(answer, label) {
  const lookup = answer.lookup || {};
  let products = Array.isArray(lookup.products) ? lookup.products : [];
  if (!products.length && lookup.product) products = [lookup.product];
  const product = products[0] || null;
  activate(productStep);
  productStep.dataset.source = product ? sourceOf(product, lookup) : "none";
  const feedback = feedbackLine(answer.scan, label);
  productBody.replaceChildren(
    feedback,
    product ? productCard(product, lookup, products.slice(1)) : notFoundCard(label, lookup),
  );
  productStep.scrollIntoView({ block: "start", behavior: smooth() });
  $("tags-product-title").focus({ preventScroll: true });
}

function productCard(p, lookup, others) {
  const source = sourceOf(p, lookup);
  const name = productTitle(p);
  const price = formatPrice(p.price, p.currency || "KRW", p.price_text);
  const shop = p.shop_url || p.link || p.url;

  const media = h("div", { class: "product-media" });
  const img = p.image_url || p.image;
  if (isLocalUrl(img)) {
    const alt = t("apps.tags.product.image_alt", { name });
    media.append(h("img", { src: img, alt, loading: "lazy" }));
  } else {
    const initial = (p.brand || name || "?").trim().charAt(0).toUpperCase();
    media.append(h("span", { class: "product-initial", "aria-hidden": "true", text: initial }));
  }

  const matchKey = p.match && Object.hasOwn(messages, `apps.tags.match.${p.match}`)
    ? `apps.tags.match.${p.match}`
    : null;
  const badges = h(
    "div",
    { class: "product-badges" },
    h("span", {
      class: `badge badge-source badge-${source}`,
      "data-source": source,
      text: t(`apps.tags.source.${source}`),
    }),
    matchKey ? h("span", { class: "badge badge-muted", text: t(matchKey) }) : null,
  );

  const fact = (cls, term, value) =>
    value ? h("div", { class: cls }, h("dt", { text: term }), h("dd", { text: value })) : null;
  const facts = h(
    "dl",
    { class: "product-facts" },
    fact("product-price", t("apps.tags.product.price"), price || t("apps.tags.product.no_price")),
    fact("product-code", t("apps.tags.product.code"), p.code),
    fact("product-mall", t("apps.tags.product.mall"), p.mall || p.mallName),
  );
  facts.querySelector(".product-code dd")?.classList.add("mono");

  const actions = h("div", { class: "tags-actions" });
  if (shop && isWebUrl(shop)) {
    actions.append(
      h(
        "a",
        { class: "btn btn-primary", href: shop, ...NEW_TAB, "data-role": "shop" },
        t("apps.tags.product.view"),
        icon("arrow") || "",
      ),
    );
  }
  actions.append(againButton());

  const body = h(
    "div",
    { class: "product-body" },
    h(
      "div",
      { class: "product-head" },
      badges,
      h("h3", { text: name }),
      p.brand ? h("p", { class: "product-brand", text: p.brand }) : null,
    ),
    facts,
    source === "demo" ? h("p", { class: "product-demo", text: t("apps.tags.demo_notice") }) : null,
    actions,
    moreMatches(others),
    moreOffers(p, lookup.offers || []),
  );
  return h("article", { class: "product", "data-code": p.code || "" }, media, body);
}

function moreMatches(others) {
  const rest = others.slice(0, 4);
  if (!rest.length) return null;
  return h(
    "div",
    { class: "product-more", "data-role": "more-matches" },
    h("h4", { text: t("apps.tags.product.more") }),
    h(
      "ul",
      {},
      rest.map((m) =>
        h(
          "li",
          {},
          h("span", {}, productTitle(m), " ", h("span", { class: "mono", text: m.code || "" })),
          h("strong", { text: formatPrice(m.price, m.currency || "KRW", m.price_text) || "" }),
        ),
      ),
    ),
  );
}

function moreOffers(best, offers) {
  const shop = best.shop_url || best.link;
  const rest = offers.filter((o) => o.link !== shop && isWebUrl(o.link)).slice(0, 4);
  if (!rest.length) return null;
  return h(
    "div",
    { class: "product-more", "data-role": "offers" },
    h("h4", { text: t("apps.tags.product.offers") }),
    h(
      "ul",
      {},
      rest.map((o) =>
        h(
          "li",
          {},
          h("a", { href: o.link, ...NEW_TAB, text: o.mall_name || o.title }),
          h("strong", { text: formatPrice(o.lprice, "KRW") || "" }),
        ),
      ),
    ),
  );
}

function notFoundCard(label, lookup) {
  const card = h(
    "div",
    { class: "not-found-card", "data-role": "not-found" },
    icon("search") || "",
    h(
      "div",
      {},
      h("h3", { text: t("apps.tags.notfound.title", { code: label }) }),
      h("p", { text: t("apps.tags.notfound.body") }),
    ),
  );
  const inner = card.lastElementChild;
  if (lookup.provider_error) {
    const message = lookup.provider_error.message || lookup.provider_error.code || "";
    const text = t("apps.tags.provider_error", { message });
    inner.append(h("p", { class: "notice notice-warn", "data-role": "provider-error", text }));
  } else if (!(lookup.provider_enabled ?? providerEnabled)) {
    inner.append(
      h(
        "p",
        { class: "notice tags-provider-note", "data-role": "provider-off" },
        h("strong", { text: t("apps.tags.provider_off") }),
        " ",
        t("apps.tags.provider_off_hint"),
      ),
    );
  }
  inner.append(h("div", { class: "tags-actions" }, againButton()));
  return card;
}

function againButton() {
  return h(
    "button",
    {
      type: "button",
      class: "btn btn-secondary",
      "data-role": "again",
      onclick: () => {
        resetStep(resultStep);
        resetStep(productStep);
        photoStep.scrollIntoView({ block: "start", behavior: smooth() });
        fileInput.click();
      },
    },
    t("apps.tags.again"),
  );
}

// ---- 5. your accuracy --------------------------------------------------------------------------

const statsBox = $("tags-stats");
const statsMsg = $("tags-stats-msg");
const statsBody = $("tags-stats-body");
const spark = $("tags-spark");

async function loadStats() {
  let data;
  try {
    data = await api(`/api/v1/tags/stats?days=${STATS_DAYS}`);
  } catch {
    statsBox.dataset.state = "error";
    statsMsg.textContent = t("apps.tags.stats.error");
    statsMsg.hidden = false;
    statsBody.hidden = true;
    return;
  }
  const total = data.total || {};
  if (!total.confirmed) {
    statsBox.dataset.state = "empty";
    statsMsg.textContent = t("apps.tags.stats.empty");
    statsMsg.hidden = false;
    statsBody.hidden = true;
    return;
  }
  statsBox.dataset.state = "ready";
  statsMsg.hidden = true;
  statsBody.hidden = false;
  $("tags-stat-accuracy").textContent = `${percentOf(total.first_guess_accuracy ?? 0)}%`;
  $("tags-stat-corrections").textContent = `${percentOf(total.correction_rate ?? 0)}%`;
  $("tags-stat-counts").textContent = t("apps.tags.stats.counts", {
    confirmed: numberFmt.format(total.confirmed),
    scans: numberFmt.format(total.scans ?? total.confirmed),
  });
  const days = (data.days || []).filter((d) => d.confirmed > 0).slice(-14);
  spark.hidden = days.length < 2;
  spark.replaceChildren(
    ...days.map((d) => {
      const pct = percentOf(d.first_guess_accuracy ?? 0);
      const label = t("apps.tags.stats.day", { date: d.date, pct, n: d.confirmed });
      return h("span", { style: `height:${Math.max(6, pct)}%`, title: label });
    }),
  );
}

loadStats();
root.dataset.ready = "true";
