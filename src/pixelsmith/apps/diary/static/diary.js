// Toon Diary pages: load more of the Lounge, write/edit a post and get its picture (the
// diary.illustrate job followed live, or a toonified photo), comments, reports, the owner's
// publish/delete and the admin queue. The API is docs/api.md's "Toon Diary" section.
// Users' text is only ever set with textContent (api.js's h()), never as HTML. Requests go
// through api.js's api(); csrf.js adds the session's X-CSRF-Token to every unsafe one.

import { ApiError, api, h } from "/static/js/api.js";
import { followJob, setBusy } from "/static/js/follow.js";
import { pageMessages } from "/static/js/i18n.js";

const API = "/api/v1/diary";
const root = document.getElementById("diary");
const { t } = pageMessages("diary-i18n");
const $ = (id) => document.getElementById(id);

function showError(box, err) {
  if (!box) return;
  if (err instanceof ApiError && err.status === 0) box.textContent = t("apps.diary.error.network");
  else box.textContent = err instanceof ApiError && err.message ? err.message : String(err);
  box.hidden = false;
}

// ---- a post card, as the server renders it (diary/_parts.html) -------------------------------

function postCard(post) {
  const img = post.image || {};
  let thumb;
  if (img.url) {
    thumb = h("img", {
      class: "dy-thumb",
      src: img.url,
      alt: t("apps.diary.image.alt", { title: post.title }),
      loading: "lazy",
      width: 512,
      height: 512,
    });
  } else {
    const text = img.state === "awaiting_review" ? t("apps.diary.image.awaiting") : "";
    thumb = h("span", { class: "dy-thumb dy-thumb-empty", text });
  }
  const meta = h(
    "span",
    { class: "dy-card-meta" },
    h("span", { class: "badge badge-muted dy-mood", text: t(`apps.diary.mood.${post.mood}`) }),
    post.visibility === "private"
      ? h("span", { class: "badge badge-warn dy-private", text: t("apps.diary.private") })
      : null,
    h("span", {
      class: "dy-comments",
      text: t("apps.diary.comments.count", { n: post.comment_count }),
    }),
  );
  return h(
    "li",
    { class: "dy-card", "data-post-id": post.id },
    h(
      "a",
      { class: "dy-card-link", href: `/diary/posts/${encodeURIComponent(post.id)}` },
      thumb,
      h(
        "span",
        { class: "dy-card-body" },
        h("strong", { class: "dy-card-title", text: post.title }),
        meta,
        post.author ? h("span", { class: "dy-author", text: post.author }) : null,
      ),
    ),
  );
}

// ---- /diary: load more of the Lounge ---------------------------------------------------------

function initHome() {
  const more = $("dy-more");
  if (!more) return;
  more.addEventListener("click", async () => {
    setBusy(more, true);
    try {
      const q = new URLSearchParams({ cursor: more.dataset.cursor, limit: more.dataset.limit });
      const page = await api(`${API}/lounge?${q}`);
      const list = $("dy-lounge-list");
      for (const post of page.items) list.append(postCard(post));
      if (page.next_cursor) more.dataset.cursor = page.next_cursor;
      else more.closest(".dy-more").remove();
    } catch (err) {
      showError($("dy-lounge-error"), err);
    } finally {
      if (more.isConnected) setBusy(more, false);
    }
  });
}

// ---- the picture: job status, then the image ---------------------------------------------

function showJob(job) {
  const box = $("dy-job");
  if (!box) return;
  const { step = 0, total = 0, message = "" } = job.progress || {};
  const done = job.status === "succeeded";
  const pct = done ? 100 : total ? Math.max(0, Math.min(100, Math.round((step / total) * 100))) : 0;
  const text = done ? t("apps.diary.job.succeeded") : message || t(`apps.diary.job.${job.status}`);
  box.hidden = false;
  box.dataset.status = job.status;
  const bar = box.querySelector(".progress");
  bar.setAttribute("aria-valuenow", String(pct));
  bar.setAttribute("aria-valuetext", `${pct}% · ${text}`);
  box.querySelector(".progress-bar").style.width = `${pct}%`;
  box.querySelector(".progress-pct").textContent = `${pct}%`;
  $("dy-job-status").textContent = text;
}

function showImage(post) {
  const fig = $("dy-figure");
  const img = post.image || {};
  if (!fig || !img.url) return;
  const image = $("dy-image");
  image.src = `${img.url}?v=${encodeURIComponent(post.updated_at || "")}`;
  image.alt = t("apps.diary.image.alt", { title: post.title });
  $("dy-image-note").textContent =
    img.state === "approved" ? "" : t(`apps.diary.image.state.${img.state}`);
  fig.hidden = false;
}

async function followPicture(postId, jobId) {
  const job = await followJob(jobId, showJob);
  const post = await api(`${API}/posts/${encodeURIComponent(postId)}`);
  if (job.status !== "succeeded") {
    const msg = (job.error && job.error.message) || t(`apps.diary.job.${job.status}`);
    throw new ApiError(msg, { code: job.status });
  }
  return post;
}

/** Draw the post's picture; with no model, the engine's message and the toonify offer. */
async function illustrate(postId) {
  try {
    const out = await api(`${API}/posts/${encodeURIComponent(postId)}/image`, {
      method: "POST",
      body: {},
    });
    showImage(await followPicture(postId, out.job.id));
  } catch (err) {
    if (err instanceof ApiError && err.code === "model_unavailable") {
      $("dy-no-model-message").textContent = err.message;
      const cmd = err.details.install_command || "";
      $("dy-install-command").textContent = cmd;
      $("dy-install-command").hidden = !cmd;
      $("dy-no-model").hidden = false;
      $("dy-toonify").hidden = false;
    } else {
      showError($("dy-picture-error"), err);
    }
  }
}

async function toonify(postId, file) {
  const form = new FormData();
  form.append("photo", file);
  const post = await api(`${API}/posts/${encodeURIComponent(postId)}/image`, {
    method: "POST",
    body: form,
  });
  showImage(post);
  return post;
}

// ---- write / edit --------------------------------------------------------------------------

function initWrite() {
  const form = $("dy-form");
  if (!form) return;
  const mood = $("dy-mood");
  const style = $("dy-style");
  let styleTouched = Boolean(root.dataset.postId);
  style.addEventListener("change", () => (styleTouched = true));
  const followMood = () => {
    if (!styleTouched) style.value = mood.selectedOptions[0]?.dataset.style || style.value;
  };
  mood.addEventListener("change", followMood);
  followMood();

  let postId = root.dataset.postId || null;
  const save = $("dy-save");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    $("dy-form-error").hidden = true;
    const body = {
      title: $("dy-title").value,
      text: $("dy-text").value,
      mood: mood.value,
      style: style.value,
    };
    const photo = $("dy-photo").files[0];
    setBusy(save, true);
    let post;
    try {
      post = postId
        ? await api(`${API}/posts/${encodeURIComponent(postId)}`, { method: "PATCH", body })
        : await api(`${API}/posts`, { method: "POST", body: { ...body, visibility: "private" } });
    } catch (err) {
      showError($("dy-form-error"), err);
      setBusy(save, false);
      return;
    }
    const editing = Boolean(postId);
    postId = post.id;
    root.dataset.postId = post.id;
    setBusy(save, false);
    if (editing && !photo) {
      location.assign(`/diary/posts/${encodeURIComponent(post.id)}`);
      return;
    }
    save.hidden = true;
    const section = $("dy-picture");
    section.hidden = false;
    $("dy-view").href = `/diary/posts/${encodeURIComponent(post.id)}`;
    $("dy-publish").hidden = post.visibility === "public";
    $("dy-picture-title").focus();
    if (photo) {
      try {
        await toonify(post.id, photo);
      } catch (err) {
        showError($("dy-picture-error"), err);
      }
    } else {
      await illustrate(post.id);
    }
  });

  const toonGo = $("dy-toon-go");
  toonGo.addEventListener("click", async () => {
    const file = $("dy-toon-file").files[0];
    if (!file || !postId) return;
    $("dy-picture-error").hidden = true;
    setBusy(toonGo, true);
    try {
      await toonify(postId, file);
      $("dy-no-model").hidden = true;
      $("dy-toonify").hidden = true;
    } catch (err) {
      showError($("dy-picture-error"), err);
    } finally {
      setBusy(toonGo, false);
    }
  });
  initPublish(() => postId, $("dy-picture-error"));
}

/** The explicit publish step: private → public, after a confirmation. */
function initPublish(getId, errorBox) {
  const btn = $("dy-publish");
  if (!btn) return;
  btn.addEventListener("click", async () => {
    if (!confirm(t("apps.diary.publish.confirm"))) return;
    setBusy(btn, true);
    try {
      await api(`${API}/posts/${encodeURIComponent(getId())}`, {
        method: "PATCH",
        body: { visibility: "public" },
      });
      btn.hidden = true;
      const done = $("dy-published");
      if (done) done.hidden = false;
      else location.reload();
    } catch (err) {
      showError(errorBox, err);
    } finally {
      setBusy(btn, false);
    }
  });
}

// ---- a post ----------------------------------------------------------------------------------

function initPost() {
  const postId = root.dataset.postId;
  const url = `${API}/posts/${encodeURIComponent(postId)}`;
  const errorBox = $("dy-post-error");
  if (root.dataset.jobId) {
    followPicture(postId, root.dataset.jobId)
      .then(() => location.reload())
      .catch((err) => showError(errorBox, err));
  }
  initPublish(() => postId, errorBox);
  $("dy-unpublish")?.addEventListener("click", async () => {
    try {
      await api(url, { method: "PATCH", body: { visibility: "private" } });
      location.reload();
    } catch (err) {
      showError(errorBox, err);
    }
  });
  $("dy-delete")?.addEventListener("click", async () => {
    if (!confirm(t("apps.diary.delete.confirm"))) return;
    try {
      await api(url, { method: "DELETE" });
      location.assign("/diary/me");
    } catch (err) {
      showError(errorBox, err);
    }
  });
  const report = $("dy-report");
  report?.addEventListener("click", async () => {
    if (!confirm(t("apps.diary.report.confirm"))) return;
    try {
      await api(`${url}/report`, {
        method: "POST",
        body: { reason: $("dy-report-reason").value },
      });
      report.closest(".dy-report").remove();
      $("dy-reported").hidden = false;
    } catch (err) {
      showError(errorBox, err);
    }
  });
  const form = $("dy-comment-form");
  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const box = $("dy-comment-text");
    const send = $("dy-comment-send");
    $("dy-comment-error").hidden = true;
    setBusy(send, true);
    try {
      const c = await api(`${url}/comments`, { method: "POST", body: { text: box.value } });
      $("dy-comment-list").append(
        h(
          "li",
          { class: "dy-comment" },
          h("span", { class: "dy-author", text: c.author || "" }),
          h("p", { text: c.text }),
        ),
      );
      const n = $("dy-comment-list").children.length;
      $("dy-comment-count").textContent = String(n);
      box.value = "";
    } catch (err) {
      showError($("dy-comment-error"), err);
    } finally {
      setBusy(send, false);
    }
  });
}

// ---- admin queue -------------------------------------------------------------------------------

const ADMIN_PATHS = {
  hide: (id) => `${API}/admin/posts/${id}/hide`,
  restore: (id) => `${API}/admin/posts/${id}/restore`,
  delete: (id) => `${API}/admin/posts/${id}/delete`,
  approve: (id) => `${API}/admin/images/${id}/approve`,
  reject: (id) => `${API}/admin/images/${id}/reject`,
};

function initAdmin() {
  root.addEventListener("click", async (event) => {
    const btn = event.target.closest("button[data-action]");
    if (!btn) return;
    const row = btn.closest("[data-post-id]");
    const action = btn.dataset.action;
    if (action === "delete" && !confirm(t("apps.diary.delete.confirm"))) return;
    btn.disabled = true;
    try {
      await api(ADMIN_PATHS[action](encodeURIComponent(row.dataset.postId)), { method: "POST" });
      row.dataset.done = action;
      row.append(h("span", { class: "badge badge-ok", text: t(`apps.diary.admin.done.${action}`) }));
      for (const b of row.querySelectorAll("button[data-action]")) b.disabled = true;
    } catch (err) {
      btn.disabled = false;
      showError($("dy-admin-error"), err);
    }
  });
}

// The file inputs are hidden behind a label button (the browser's own "Choose File" is not
// translated); the chosen file's name shows next to it.
for (const name of document.querySelectorAll(".dy-file-name[data-for]")) {
  const input = $(name.dataset.for);
  input?.addEventListener("change", () => {
    name.textContent = input.files[0]?.name || t("apps.diary.form.no_file");
  });
}

const PAGES = { home: initHome, write: initWrite, post: initPost, admin: initAdmin };
PAGES[root?.dataset.page]?.();
