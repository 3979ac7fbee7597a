// Desk Makeover page: photo → gate → analysis → picks → render → shoppable result.
// The API it speaks is the "Desk Makeover" section of docs/api.md.
//
// 1. The photo is decoded in the browser (EXIF orientation applied), scaled so its longest side
//    is at most 1600 px (the server's working-photo size) and uploaded to POST
//    /api/v1/desk/photos. A photo the gate rejects (422, details.gate) shows every reason the
//    gate gave, in the page's language, and the way to try another photo.
// 2. The desk.analyze job is followed over its WebSocket; then the analysis is drawn: item boxes
//    and the free surface over the photo, the palette, the style and its evidence.
// 3. Recommendations are cards with a checkbox each (1–6), plus a restyle choice → POST renders.
// 4. The desk.render job is followed; the render gets numbered hotspots (from each item's
//    `hotspot`, in working-photo pixels, so they scale with the displayed image), its item mask
//    outlined on hover/focus, item cards with shop links, a before/after slider, download,
//    start over, and "delete my photo".

import { ApiError, api, h } from "/static/js/api.js";
import { TERMINAL, followJob, setBusy } from "/static/js/follow.js";
import { PhotoError, prepareImage } from "/static/js/photo.js";
import { lang, pageMessages } from "/static/js/i18n.js";

const MAX_SIDE = 1600; // the server's working photo: uploading more would be thrown away
const MAX_BYTES = 4 * 1024 * 1024;
const MAX_PICKS = 6;
const REC_LIMIT = 8;
const NEW_TAB = { target: "_blank", rel: "noopener noreferrer" };

// ---- messages ----------------------------------------------------------------------------------

const { t, messages } = pageMessages("desk-i18n");

/** A message if the catalog has it, else `fallback` (labels the server may add later). */
function tOr(key, fallback) {
  return Object.hasOwn(messages, key) ? t(key) : fallback;
}

const itemName = (label) => tOr(`apps.desk.item.${label}`, label.replace(/_/g, " "));
const styleName = (style) => tOr(`apps.desk.style.${style}`, style.replace(/_/g, " "));
// Palette names are core.colour keys ("light_grey"); their words are the shared colour.* messages.
const colourName = (name) => tOr(`colour.${name}`, name.replace(/_/g, " "));
const pct = (ratio) => Math.round(Math.max(0, Math.min(1, Number(ratio) || 0)) * 100);
const numberFmt = new Intl.NumberFormat(lang);

function formatBytes(bytes) {
  if (bytes < 1024 * 1024) return `${numberFmt.format(Math.max(1, Math.round(bytes / 1024)))} KB`;
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(bytes / 1048576)} MB`;
}

const smooth = () =>
  window.matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";

function icon(name) {
  const tpl = document.getElementById(`desk-icon-${name}`);
  return tpl ? tpl.content.firstElementChild.cloneNode(true) : null;
}

// ---- elements ----------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
const root = $("desk");
const el = {
  photoStep: $("desk-photo"),
  file: $("desk-file"),
  drop: $("desk-drop"),
  uploading: $("desk-uploading"),
  photoError: $("desk-photo-error"),
  chosen: $("desk-chosen"),
  chosenImg: $("desk-chosen-img"),
  chosenName: $("desk-chosen-name"),
  chosenMeta: $("desk-chosen-meta"),
  other: $("desk-other"),
  del: $("desk-delete"),
  delConfirm: $("desk-delete-confirm"),
  delYes: $("desk-delete-yes"),
  delNo: $("desk-delete-no"),
  deleted: $("desk-deleted"),

  analysisStep: $("desk-analysis"),
  analysisJob: $("desk-analysis-job"),
  analysisError: $("desk-analysis-error"),
  analysisBody: $("desk-analysis-body"),
  analysisStage: $("desk-analysis-stage"),
  analysisImg: $("desk-analysis-img"),
  surface: $("desk-surface"),
  boxes: $("desk-boxes"),
  analysisCaption: $("desk-analysis-caption"),
  itemList: $("desk-item-list"),
  palette: $("desk-palette"),
  styleName: $("desk-style-name"),
  styleEvidence: $("desk-style-evidence"),
  styleOthers: $("desk-style-others"),

  picksStep: $("desk-picks"),
  picksError: $("desk-picks-error"),
  form: $("desk-picks-form"),
  recs: $("desk-recs"),
  recsEmpty: $("desk-recs-empty"),
  pickCount: $("desk-pick-count"),
  renderBtn: $("desk-render"),

  resultStep: $("desk-result"),
  renderJob: $("desk-render-job"),
  resultError: $("desk-result-error"),
  resultBody: $("desk-result-body"),
  resultStage: $("desk-result-stage"),
  resultImg: $("desk-result-img"),
  resultCaption: $("desk-result-caption"),
  highlight: $("desk-highlight"),
  hotspots: $("desk-hotspots"),
  cards: $("desk-cards"),
  compare: $("desk-compare"),
  compareClip: $("desk-compare-clip"),
  compareLine: $("desk-compare-line"),
  compareBefore: $("desk-compare-before"),
  compareAfter: $("desk-compare-after"),
  compareRange: $("desk-compare-range"),
  download: $("desk-download"),
  again: $("desk-again"),
  restart: $("desk-restart"),
};

const state = {
  photo: null, // the API's photo: {id, image_url, width, height, gate, analysis}
  render: null,
  busy: false,
  generation: 0, // bumped by start over / delete, so late answers of an old flow are ignored
  masks: new Map(), // n → canvas outlining that item (built on first highlight)
};

// ---- steps and errors --------------------------------------------------------------------------

const STEPS = ["photo", "analysis", "picks", "result"];
const STEP_SECTIONS = {
  photo: el.photoStep,
  analysis: el.analysisStep,
  picks: el.picksStep,
  result: el.resultStep,
};

function setStep(step) {
  const reached = STEPS.indexOf(step);
  STEPS.forEach((name, i) => {
    STEP_SECTIONS[name].dataset.active = String(i <= reached);
  });
  root.dataset.step = step;
}

function focusStep(step) {
  const section = STEP_SECTIONS[step];
  section.scrollIntoView({ block: "start", behavior: smooth() });
  section.querySelector("h2")?.focus({ preventScroll: true });
}

const ERROR_KINDS = {
  unsupported_type: "not_image",
  corrupt_image: "not_image",
  truncated_image: "not_image",
  empty_file: "not_image",
  bad_dimensions: "not_image",
  invalid_image: "not_image",
  file_too_large: "too_large",
  image_too_large: "too_large",
  payload_too_large: "too_large",
  request_too_large: "too_large",
  decompression_bomb: "too_large",
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

/** Fill an alert box: icon, a title, what to do next, optional details and action buttons. */
function alertBox(box, { title, next, detail, list, actions = [], kind = "error" }) {
  const text = h("div", { class: "desk-alert-text" }, h("strong", { text: title }));
  if (list && list.length) {
    text.append(h("ul", { class: "desk-reasons" }, list.map((item) => h("li", { text: item }))));
  }
  if (next) text.append(h("p", { class: "desk-alert-next", text: next }));
  if (detail) text.append(h("p", { class: "desk-alert-detail", text: detail }));
  if (actions.length) text.append(h("div", { class: "desk-actions" }, actions));
  box.replaceChildren(...[icon("alert"), text].filter(Boolean));
  box.dataset.kind = kind;
  box.hidden = false;
  box.scrollIntoView({ block: "nearest", behavior: smooth() });
}

function showError(box, err, actions = []) {
  const { kind, detail } = describe(err);
  alertBox(box, {
    title: t(`apps.desk.error.${kind}.title`),
    next: t(`apps.desk.error.${kind}.next`, { message: detail || "" }),
    detail: detail && kind !== "other" ? detail : "",
    actions,
    kind,
  });
}

function clearError(box) {
  box.hidden = true;
  box.replaceChildren();
  delete box.dataset.kind;
}

function button(label, onClick, cls = "btn btn-sm btn-secondary") {
  return h("button", { type: "button", class: cls, onclick: onClick }, label);
}

// ---- following a job ---------------------------------------------------------------------------

function jobPercent(job) {
  if (job.status === "succeeded") return 100;
  const { step = 0, total = 0 } = job.progress || {};
  return total ? Math.max(0, Math.min(100, Math.round((step / total) * 100))) : 0;
}

function showJob(box, job) {
  const bar = box.querySelector(".progress");
  const value = jobPercent(job);
  box.hidden = false;
  box.dataset.status = job.status;
  bar.querySelector(".progress-bar").style.width = `${value}%`;
  bar.setAttribute("aria-valuenow", String(value));
  const message =
    job.progress?.message ||
    (job.status === "queued" ? t("apps.desk.job.queued") : t("apps.desk.job.running"));
  bar.setAttribute("aria-valuetext", `${value}% · ${message}`);
  box.querySelector(".progress-message").textContent = message;
  box.querySelector(".progress-pct").textContent = `${value}%`;
}

function jobFailure(job) {
  if (job.status === "canceled") return t("apps.desk.error.canceled");
  return (job.error && (job.error.message || job.error.code)) || "";
}

// ---- 1. the photo ------------------------------------------------------------------------------

async function useFile(file) {
  if (!file || state.busy) return;
  const generation = ++state.generation;
  state.busy = true;
  root.dataset.busy = "true";
  clearError(el.photoError);
  el.deleted.hidden = true;
  resetAfterPhoto();
  el.uploading.hidden = false;
  el.uploading.querySelector(".desk-busy-text").textContent = t("apps.desk.preparing");
  try {
    const photo = await prepareImage(file, { maxSide: MAX_SIDE, maxBytes: MAX_BYTES });
    el.uploading.querySelector(".desk-busy-text").textContent = t("apps.desk.uploading");
    const form = new FormData();
    form.append("file", photo.blob, photo.name || "desk.jpg");
    root.dataset.uploadSize = `${photo.width}x${photo.height}`;
    root.dataset.uploadBytes = String(photo.blob.size);
    const answer = await api("/api/v1/desk/photos", { method: "POST", body: form });
    if (generation !== state.generation) return;
    state.photo = answer.photo;
    showChosen(answer.photo, photo, file.name);
    startAnalysis(generation);
  } catch (err) {
    if (generation !== state.generation) return;
    el.drop.hidden = false;
    el.chosen.hidden = true;
    if (err instanceof ApiError && err.details?.gate) showRejected(err.details.gate, err);
    else showError(el.photoError, err, [button(t("apps.desk.rejected.try"), pickAnother)]);
  } finally {
    if (generation === state.generation) {
      el.uploading.hidden = true;
      state.busy = false;
      root.dataset.busy = "false";
      el.file.value = "";
    }
  }
}

function showRejected(gate, err) {
  const reasons = (gate.reasons || []).map((r) => r.message).filter(Boolean);
  if (!reasons.length && err?.message) reasons.push(err.message);
  root.dataset.gate = "rejected";
  alertBox(el.photoError, {
    title: t("apps.desk.rejected.title"),
    list: reasons,
    next: t("apps.desk.rejected.next"),
    actions: [button(t("apps.desk.rejected.try"), pickAnother, "btn btn-sm btn-primary")],
    kind: "rejected",
  });
  el.photoError.dataset.codes = (gate.reasons || []).map((r) => r.code).join(" ");
}

function pickAnother() {
  el.file.value = "";
  el.file.click();
}

function showChosen(apiPhoto, prepared, fileName) {
  root.dataset.gate = "accepted";
  root.dataset.photoId = apiPhoto.id;
  el.drop.hidden = true;
  el.chosen.hidden = false;
  el.chosenImg.src = apiPhoto.image_url;
  el.chosenName.textContent = fileName || "";
  el.chosenMeta.textContent = t("apps.desk.photo.meta", {
    width: apiPhoto.width ?? prepared.width,
    height: apiPhoto.height ?? prepared.height,
    size: formatBytes(prepared.blob.size),
  });
}

el.file.addEventListener("change", () => useFile(el.file.files && el.file.files[0]));
el.other.addEventListener("click", () => {
  startOver();
  pickAnother();
});

// Drag and drop onto the whole first step.
let dragDepth = 0;
el.photoStep.addEventListener("dragenter", (event) => {
  if (!event.dataTransfer?.types?.includes("Files")) return;
  event.preventDefault();
  dragDepth += 1;
  el.photoStep.classList.add("is-dragover");
});
el.photoStep.addEventListener("dragover", (event) => {
  if (!event.dataTransfer?.types?.includes("Files")) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "copy";
});
el.photoStep.addEventListener("dragleave", () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (!dragDepth) el.photoStep.classList.remove("is-dragover");
});
el.photoStep.addEventListener("drop", (event) => {
  event.preventDefault();
  dragDepth = 0;
  el.photoStep.classList.remove("is-dragover");
  const file = [...(event.dataTransfer?.files || [])].find((f) => f.type.startsWith("image/"));
  useFile(file || event.dataTransfer?.files?.[0]);
});

// ---- 2. the analysis ---------------------------------------------------------------------------

// The analysis comes back with the upload (the server analyses the photo as it takes it).
async function startAnalysis(generation) {
  setStep("analysis");
  clearError(el.analysisError);
  el.analysisJob.hidden = true;
  focusStep("analysis");
  try {
    await showAnalysis(state.photo);
    if (generation !== state.generation) return;
    loadRecommendations(generation);
  } catch (err) {
    if (generation !== state.generation) return;
    showError(el.analysisError, err);
  }
}

/** Size a stage to its photo: the whole photo fits the width and at most ~70% of the screen. */
function sizeStage(stage, width, height) {
  stage.style.aspectRatio = `${width} / ${height}`;
  stage.style.width = `min(100%, calc(70vh * ${width / height}))`;
}

function loaded(img) {
  if (img.complete && img.naturalWidth) return Promise.resolve();
  return new Promise((resolve) => {
    img.addEventListener("load", resolve, { once: true });
    img.addEventListener("error", resolve, { once: true });
  });
}

async function showAnalysis(photo) {
  const a = photo.analysis;
  const W = a.width || photo.width;
  const H = a.height || photo.height;
  sizeStage(el.analysisStage, W, H);
  el.analysisImg.src = photo.image_url;
  await loaded(el.analysisImg);

  // Free surface: polygons in photo pixels, drawn in an SVG with the photo's own coordinates.
  const svgNS = "http://www.w3.org/2000/svg";
  el.surface.setAttribute("viewBox", `0 0 ${W} ${H}`);
  el.surface.replaceChildren(
    ...(a.surface || [])
      .filter((poly) => poly && poly.length >= 3)
      .map((poly) => {
        const p = document.createElementNS(svgNS, "polygon");
        p.setAttribute("points", poly.map(([x, y]) => `${x},${y}`).join(" "));
        p.setAttribute("vector-effect", "non-scaling-stroke");
        return p;
      }),
  );

  const items = a.items || [];
  el.boxes.replaceChildren(
    ...items.map((item, i) => {
      const { x, y, w, h: bh } = item.box;
      const box = h(
        "div",
        { class: "desk-box", "data-label": item.label, "data-index": i },
        h("span", {
          class: "desk-box-label",
          text: t("apps.desk.analysis.box_label", { label: itemName(item.label), score: pct(item.score) }),
        }),
      );
      Object.assign(box.style, {
        left: `${(x / W) * 100}%`,
        top: `${(y / H) * 100}%`,
        width: `${(w / W) * 100}%`,
        height: `${(bh / H) * 100}%`,
      });
      if (y / H < 0.06) box.classList.add("is-top"); // keep the label inside the photo
      return box;
    }),
  );
  el.analysisCaption.textContent = items.length
    ? t("apps.desk.analysis.caption", { count: items.length })
    : t("apps.desk.analysis.caption_none");

  el.itemList.replaceChildren(
    ...(items.length
      ? items.map((item) =>
          h(
            "li",
            { class: "desk-item-chip", "data-label": item.label, title: item.evidence || "" },
            h("span", { text: itemName(item.label) }),
            h("span", { class: "desk-score", text: `${pct(item.score)}%` }),
          ),
        )
      : [h("li", { class: "hint", text: t("apps.desk.analysis.no_items") })]),
  );

  el.palette.replaceChildren(
    ...(a.palette || []).map((c) => {
      const swatch = h("span", { class: "desk-swatch", "aria-hidden": "true" });
      swatch.style.background = c.hex;
      return h(
        "li",
        { class: "desk-colour", "data-hex": c.hex, title: c.hex },
        swatch,
        h("span", { class: "desk-colour-name", text: colourName(c.name) }),
        h("span", { class: "desk-score", text: `${pct(c.share)}%` }),
      );
    }),
  );

  const style = a.style || (a.styles || [])[0];
  if (style) {
    el.styleName.replaceChildren(
      h("strong", { text: styleName(style.style) }),
      h("span", { class: "desk-score", text: t("apps.desk.analysis.style_score", { score: pct(style.score) }) }),
    );
    el.styleName.dataset.style = style.style;
    el.styleEvidence.replaceChildren(...(style.evidence || []).map((e) => h("li", { text: e })));
    const others = (a.styles || [])
      .filter((s) => s.style !== style.style && s.score >= 0.2)
      .slice(0, 2)
      .map((s) => `${styleName(s.style)} ${pct(s.score)}%`);
    el.styleOthers.textContent = others.length ? t("apps.desk.analysis.others", { styles: others.join(", ") }) : "";
  }
  el.analysisBody.hidden = false;
  root.dataset.analysis = "shown";
}

// ---- 3. recommendations and picks --------------------------------------------------------------

async function loadRecommendations(generation) {
  clearError(el.picksError);
  let data;
  try {
    data = await api(
      `/api/v1/desk/photos/${encodeURIComponent(state.photo.id)}/recommendations?limit=${REC_LIMIT}`,
    );
  } catch (err) {
    if (generation !== state.generation) return;
    setStep("picks");
    const { detail } = describe(err);
    alertBox(el.picksError, {
      title: t("apps.desk.error.recs.title"),
      next: t("apps.desk.error.recs.next"),
      detail,
      actions: [button(t("apps.desk.retry"), () => loadRecommendations(generation))],
    });
    return;
  }
  if (generation !== state.generation) return;
  showRecommendations(data.items || []);
  setStep("picks");
}

function showRecommendations(items) {
  el.recs.replaceChildren(...items.map(recCard));
  el.recsEmpty.hidden = items.length > 0;
  el.form.hidden = false;
  updatePicks();
}

function recCard(item) {
  const id = `desk-rec-${item.product_id}`;
  const nameId = `${id}-name`;
  const reasonId = `${id}-reason`;
  const input = h("input", {
    type: "checkbox",
    id,
    name: "product_ids",
    value: item.product_id,
    class: "desk-rec-check",
    "aria-labelledby": nameId,
    "aria-describedby": reasonId,
  });
  const media = h("div", { class: "desk-rec-media" });
  if (item.image_url) {
    media.append(h("img", { src: item.image_url, alt: "", loading: "lazy", decoding: "async" }));
  }
  const badges = h("div", { class: "desk-badges" });
  if (item.upgrade) {
    badges.append(
      h("span", { class: "badge badge-warn desk-badge-upgrade", title: t("apps.desk.picks.upgrade_hint"), text: t("apps.desk.picks.upgrade") }),
    );
  }
  if (item.demo) badges.append(h("span", { class: "badge badge-muted desk-badge-demo", text: t("apps.desk.picks.demo") }));
  const category = item.category ? itemName(item.category) : "";
  const card = h(
    "li",
    { class: "desk-rec", "data-product-id": item.product_id, "data-category": item.category || "" },
    h(
      "label",
      { class: "desk-rec-pick", for: id },
      input,
      media,
      h(
        "span",
        { class: "desk-rec-text" },
        h("span", { class: "desk-rec-cat", text: category }),
        h("span", { class: "desk-rec-name", id: nameId, text: item.name }),
        h("span", { class: "desk-rec-price", text: item.price_text || "" }),
        h("span", { class: "desk-rec-reason", id: reasonId, text: item.reason || "" }),
      ),
      badges.childElementCount ? badges : null,
    ),
  );
  if (item.shop_url) {
    card.append(
      h(
        "a",
        {
          class: "desk-rec-shop",
          href: item.shop_url,
          ...NEW_TAB,
          "aria-label": t("apps.desk.card.shop_label", { name: item.name }),
        },
        t("apps.desk.picks.shop"),
        icon("external"),
      ),
    );
  }
  return card;
}

function picked() {
  return [...el.recs.querySelectorAll(".desk-rec-check:checked")].map((c) => Number(c.value));
}

function updatePicks() {
  const ids = picked();
  const full = ids.length >= MAX_PICKS;
  for (const box of el.recs.querySelectorAll(".desk-rec-check")) {
    box.disabled = full && !box.checked;
    box.closest(".desk-rec").classList.toggle("is-picked", box.checked);
  }
  el.pickCount.textContent = t(full ? "apps.desk.picks.max" : "apps.desk.picks.count", {
    count: ids.length,
    max: MAX_PICKS,
  });
  el.renderBtn.disabled = state.busy || ids.length < 1 || ids.length > MAX_PICKS;
  root.dataset.picks = String(ids.length);
}

el.recs.addEventListener("change", updatePicks);

el.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const ids = picked();
  if (!ids.length || state.busy || !state.photo) return;
  const style = el.form.querySelector('input[name="style"]:checked')?.value || null;
  const generation = state.generation;
  state.busy = true;
  setBusy(el.renderBtn, true);
  clearError(el.picksError);
  clearError(el.resultError);
  try {
    const answer = await api(`/api/v1/desk/photos/${encodeURIComponent(state.photo.id)}/renders`, {
      method: "POST",
      body: { product_ids: ids, style, engine: "auto" },
    });
    if (generation !== state.generation) return;
    await runRender(answer.render, answer.job, generation);
  } catch (err) {
    if (generation !== state.generation) return;
    showError(el.picksError, err);
  } finally {
    if (generation === state.generation) {
      state.busy = false;
      setBusy(el.renderBtn, false);
      updatePicks();
    }
  }
});

// ---- 4. the result -----------------------------------------------------------------------------

async function runRender(render, job, generation) {
  setStep("result");
  el.resultBody.hidden = true;
  showJob(el.renderJob, job);
  focusStep("result");
  const final = TERMINAL.has(job.status)
    ? job
    : await followJob(job.id, (j) => generation === state.generation && showJob(el.renderJob, j));
  if (generation !== state.generation) return;
  el.renderJob.hidden = true;
  if (final.status !== "succeeded") {
    alertBox(el.resultError, {
      title: t("apps.desk.error.render.title"),
      next: t("apps.desk.error.render.next"),
      detail: jobFailure(final),
      actions: [button(t("apps.desk.again"), () => focusStep("picks"))],
    });
    return;
  }
  const done = await api(`/api/v1/desk/renders/${encodeURIComponent(render.id)}`);
  if (generation !== state.generation) return;
  state.render = done;
  await showResult(done);
}

async function showResult(render) {
  const W = state.photo.analysis?.width || state.photo.width;
  const H = state.photo.analysis?.height || state.photo.height;
  state.masks.clear();
  highlighted = null;
  selected = null;
  el.highlight.querySelectorAll("canvas").forEach((c) => c.remove());
  el.highlight.hidden = true;
  sizeStage(el.resultStage, W, H);
  sizeStage(el.compare, W, H);
  el.resultImg.src = render.image_url;
  el.compareAfter.src = render.image_url;
  el.compareBefore.src = render.before_url;
  await loaded(el.resultImg);

  const items = render.items || [];
  el.hotspots.replaceChildren(
    ...items
      .filter((item) => item.placed !== false && Array.isArray(item.hotspot))
      .map((item) => {
        const [x, y] = item.hotspot;
        const spot = h(
          "button",
          {
            type: "button",
            class: "desk-hotspot",
            "data-n": item.n,
            "aria-label": t("apps.desk.hotspot.label", { n: item.n, name: item.name }),
            "aria-controls": `desk-card-${item.n}`,
            title: item.name,
          },
          String(item.n),
        );
        spot.style.left = `${(x / W) * 100}%`;
        spot.style.top = `${(y / H) * 100}%`;
        return spot;
      }),
  );
  el.cards.replaceChildren(...items.map(itemCard));
  const engine = render.engine ? tOr(`apps.desk.engine.${render.engine}`, render.engine) : "";
  el.resultCaption.textContent = [
    t("apps.desk.result.caption"),
    engine ? t("apps.desk.result.engine", { engine }) : "",
  ]
    .filter(Boolean)
    .join(" · ");
  el.download.href = render.image_url;
  el.download.setAttribute("download", `desk-makeover-${render.id}.png`);
  setCompare(Number(el.compareRange.value));
  el.resultBody.hidden = false;
  root.dataset.result = "shown";
}

function itemCard(item) {
  const media = h("div", { class: "desk-card-media" });
  if (item.image_url) media.append(h("img", { src: item.image_url, alt: item.name, loading: "lazy" }));
  const body = h(
    "div",
    { class: "desk-card-body" },
    h("span", { class: "desk-card-cat", text: item.category ? itemName(item.category) : "" }),
    h("h3", { class: "desk-card-name", id: `desk-card-${item.n}-name`, text: item.name }),
    h("p", { class: "desk-card-price", text: item.price_text || "" }),
  );
  if (item.placed === false) {
    // docs/api.md names the refusal `why_not`; the render step's own field is `reason`.
    const whyNot = item.why_not || item.reason;
    body.append(
      h("p", {
        class: "desk-card-missing",
        text: whyNot ? t("apps.desk.card.not_placed", { reason: whyNot }) : t("apps.desk.card.not_placed_plain"),
      }),
    );
  } else if (item.reason) {
    body.append(h("p", { class: "desk-card-reason", text: item.reason }));
  }
  const actions = h("div", { class: "desk-card-actions" });
  if (item.shop_url) {
    actions.append(
      h(
        "a",
        {
          class: "btn btn-sm btn-primary desk-shop",
          href: item.shop_url,
          ...NEW_TAB,
          "aria-label": t("apps.desk.card.shop_label", { name: item.name }),
        },
        t("apps.desk.card.shop"),
        icon("external"),
      ),
    );
  }
  if (item.placed !== false && Array.isArray(item.hotspot)) {
    actions.append(
      h("button", {
        type: "button",
        class: "btn btn-sm btn-secondary desk-card-show",
        "data-n": item.n,
        text: t("apps.desk.card.show"),
      }),
    );
  }
  body.append(actions);
  return h(
    "li",
    {
      class: "desk-card",
      id: `desk-card-${item.n}`,
      "data-n": item.n,
      tabindex: "-1",
      "aria-labelledby": `desk-card-${item.n}-name`,
    },
    h("span", { class: "desk-card-num", "aria-hidden": "true", text: String(item.n) }),
    media,
    body,
  );
}

// Item highlight: the item's placement mask, outlined and tinted, over the render.
async function maskCanvas(item) {
  if (state.masks.has(item.n)) return state.masks.get(item.n);
  const promise = (async () => {
    if (!item.mask_url) return null;
    const img = new Image();
    img.src = item.mask_url;
    try {
      await img.decode();
    } catch {
      return null;
    }
    const scale = Math.min(1, 900 / img.naturalWidth);
    const w = Math.max(1, Math.round(img.naturalWidth * scale));
    const hgt = Math.max(1, Math.round(img.naturalHeight * scale));
    const canvas = h("canvas", { class: "desk-mask", width: w, height: hgt, "data-n": item.n });
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(img, 0, 0, w, hgt);
    const data = ctx.getImageData(0, 0, w, hgt);
    const px = data.data;
    const inside = new Uint8Array(w * hgt);
    for (let i = 0; i < w * hgt; i++) inside[i] = px[i * 4] > 127 ? 1 : 0;
    const R = 2;
    for (let y = 0; y < hgt; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        let a = 0;
        if (inside[i]) {
          a = 70; // tint
          edge: for (let dy = -R; dy <= R; dy++) {
            for (let dx = -R; dx <= R; dx++) {
              const xx = x + dx;
              const yy = y + dy;
              if (xx < 0 || yy < 0 || xx >= w || yy >= hgt || !inside[yy * w + xx]) {
                a = 255;
                break edge;
              }
            }
          }
        }
        const o = i * 4;
        px[o] = 255;
        px[o + 1] = a === 255 ? 255 : 209;
        px[o + 2] = a === 255 ? 255 : 102;
        px[o + 3] = a;
      }
    }
    ctx.putImageData(data, 0, 0);
    return canvas;
  })();
  state.masks.set(item.n, promise);
  return promise;
}

let highlighted = null; // the item outlined now
let selected = null; // the item last clicked: outlined whenever nothing else is hovered

async function highlight(n) {
  highlighted = n;
  for (const spot of el.hotspots.children) spot.classList.toggle("is-on", Number(spot.dataset.n) === n);
  const item = (state.render?.items || []).find((i) => i.n === n);
  if (!item) return;
  const canvas = await maskCanvas(item);
  if (highlighted !== n) return;
  el.highlight.querySelectorAll("canvas").forEach((c) => c.remove());
  if (canvas) {
    el.highlight.append(canvas);
    el.highlight.hidden = false;
    el.highlight.dataset.n = String(n);
  }
}

/** Hovering or focus left item n: go back to the selected item's outline, or none. */
function unhighlight(n) {
  if (highlighted !== n) return;
  if (selected !== null && selected !== n) {
    highlight(selected);
    return;
  }
  if (selected === n) return;
  highlighted = null;
  el.highlight.hidden = true;
  delete el.highlight.dataset.n;
  for (const spot of el.hotspots.children) spot.classList.remove("is-on");
}

function selectCard(n, { focus = true } = {}) {
  const card = document.getElementById(`desk-card-${n}`);
  if (!card) return;
  for (const c of el.cards.children) c.classList.toggle("is-selected", c === card);
  for (const spot of el.hotspots.children) {
    spot.setAttribute("aria-pressed", String(Number(spot.dataset.n) === n));
  }
  card.scrollIntoView({ block: "nearest", behavior: smooth() });
  if (focus) card.focus({ preventScroll: true });
  card.classList.remove("is-flash");
  void card.offsetWidth; // restart the flash animation
  card.classList.add("is-flash");
}

el.hotspots.addEventListener("click", (event) => {
  const spot = event.target.closest(".desk-hotspot");
  if (!spot) return;
  const n = Number(spot.dataset.n);
  selected = n;
  highlight(n);
  selectCard(n);
});
for (const type of ["pointerover", "focusin"]) {
  el.hotspots.addEventListener(type, (event) => {
    const spot = event.target.closest(".desk-hotspot");
    if (spot) highlight(Number(spot.dataset.n));
  });
}
for (const type of ["pointerout", "focusout"]) {
  el.hotspots.addEventListener(type, (event) => {
    const spot = event.target.closest(".desk-hotspot");
    if (spot && !spot.contains(event.relatedTarget)) unhighlight(Number(spot.dataset.n));
  });
}
el.cards.addEventListener("pointerover", (event) => {
  const card = event.target.closest(".desk-card");
  if (card && card.querySelector(".desk-card-show")) highlight(Number(card.dataset.n));
});
el.cards.addEventListener("pointerleave", () => highlighted !== null && unhighlight(highlighted));
el.cards.addEventListener("click", (event) => {
  const show = event.target.closest(".desk-card-show");
  if (!show) return;
  const n = Number(show.dataset.n);
  selected = n;
  highlight(n);
  selectCard(n, { focus: false });
  const spot = el.hotspots.querySelector(`.desk-hotspot[data-n="${n}"]`);
  el.resultStage.scrollIntoView({ block: "center", behavior: smooth() });
  spot?.focus({ preventScroll: true });
});

// Before / after: the photo shows left of the divider, the makeover right of it.
function setCompare(value) {
  const v = Math.max(0, Math.min(100, value));
  el.compareClip.style.clipPath = `inset(0 ${100 - v}% 0 0)`;
  el.compareLine.style.left = `${v}%`;
  el.compareRange.setAttribute("aria-valuetext", t("apps.desk.compare.value", { before: v, after: 100 - v }));
  el.compare.dataset.split = String(v);
}
el.compareRange.addEventListener("input", () => setCompare(Number(el.compareRange.value)));

el.again.addEventListener("click", () => focusStep("picks"));
el.restart.addEventListener("click", () => {
  startOver();
  focusStep("photo");
});

// ---- start over and delete ---------------------------------------------------------------------

function resetAfterPhoto() {
  for (const box of [el.analysisError, el.picksError, el.resultError]) clearError(box);
  el.analysisJob.hidden = true;
  el.renderJob.hidden = true;
  el.analysisBody.hidden = true;
  el.form.hidden = true;
  el.resultBody.hidden = true;
  el.recs.replaceChildren();
  el.cards.replaceChildren();
  el.hotspots.replaceChildren();
  el.highlight.hidden = true;
  state.render = null;
  state.masks.clear();
  for (const key of ["analysis", "result", "picks", "gate", "photoId"]) delete root.dataset[key];
  setStep("photo");
}

function startOver() {
  state.generation += 1;
  state.busy = false;
  state.photo = null;
  root.dataset.busy = "false";
  el.uploading.hidden = true;
  clearError(el.photoError);
  resetAfterPhoto();
  el.delConfirm.hidden = true;
  el.del.hidden = false;
  el.chosen.hidden = true;
  el.drop.hidden = false;
  el.file.value = "";
  setBusy(el.renderBtn, false);
  el.renderBtn.disabled = true;
}

el.del.addEventListener("click", () => {
  el.delConfirm.hidden = false;
  el.del.hidden = true;
  el.delNo.focus();
});
el.delNo.addEventListener("click", () => {
  el.delConfirm.hidden = true;
  el.del.hidden = false;
  el.del.focus();
});
el.delYes.addEventListener("click", async () => {
  if (!state.photo) return;
  el.delYes.dataset.busyLabel = t("apps.desk.deleting");
  setBusy(el.delYes, true);
  try {
    await api(`/api/v1/desk/photos/${encodeURIComponent(state.photo.id)}`, { method: "DELETE" });
    startOver();
    el.deleted.hidden = false;
    root.dataset.deleted = "true";
    focusStep("photo");
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      startOver();
      el.deleted.hidden = false;
      return;
    }
    showError(el.photoError, err);
  } finally {
    setBusy(el.delYes, false);
  }
});

setStep("photo");
root.dataset.ready = "true";
