// The jobs page: a live table of recent jobs.
//
// The list comes from GET /api/v1/jobs (re-read every few seconds to pick up new jobs); every
// queued or running job also gets a WebSocket on /api/v1/jobs/{id}/events, which pushes each
// progress step and closes after the final state. Cancel, retry and "try a test job" call the
// REST API and update the row from its answer.

import { ApiError, api, h, wsUrl } from "./api.js";
import { lang, t } from "./i18n.js";

const LIST_LIMIT = 50;
const POLL_MS = 4000;
const MAX_SOCKETS = 20;
const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

const root = document.getElementById("jobs");
const body = document.getElementById("jobs-body");
const table = document.getElementById("jobs-table");
const empty = document.getElementById("jobs-empty");
const loading = document.getElementById("jobs-loading");
const count = document.getElementById("jobs-count");
const live = document.getElementById("jobs-live");
const notice = document.getElementById("jobs-notice");
const tryButton = document.getElementById("try-job");

const jobs = new Map(); // id → latest job snapshot
const rows = new Map(); // id → <tr>
const sockets = new Map(); // id → WebSocket
let total = 0;
let pollTimer = null;

const relative = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
const absolute = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "medium" });

// ---- formatting ------------------------------------------------------------------------------

function parseTime(value) {
  if (!value) return null;
  // The API writes ISO 8601; a value without a zone is UTC.
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const date = new Date(withZone);
  return Number.isNaN(date.getTime()) ? null : date;
}

function timeAgo(date) {
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return relative.format(0, "second");
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86400), "day");
}

function percent(job) {
  const { step, total: steps } = job.progress || {};
  if (job.status === "succeeded") return 100;
  if (!steps) return 0;
  return Math.max(0, Math.min(100, Math.round((step / steps) * 100)));
}

function shortId(id) {
  return id.slice(0, 8);
}

function errorText(err) {
  if (err instanceof ApiError && err.status === 0) return t("jobs.error.network");
  return err.message || String(err);
}

// ---- rendering -------------------------------------------------------------------------------

function buildRow(job) {
  const bar = h("div", { class: "progress-bar" });
  const progress = h(
    "div",
    {
      class: "progress",
      role: "progressbar",
      "aria-valuemin": 0,
      "aria-valuemax": 100,
      "aria-label": t("jobs.progress_label", { id: shortId(job.id) }),
    },
    bar,
  );
  const row = h(
    "tr",
    { "data-job-id": job.id },
    h(
      "td",
      { class: "job-cell" },
      h("code", { class: "job-kind", text: job.kind }),
      h("div", { class: "job-id", text: `#${shortId(job.id)}`, title: job.id }),
      h("div", { class: "job-error", hidden: true }),
      h("div", { class: "job-artifacts", hidden: true }),
    ),
    h("td", {}, h("span", { class: "badge status-badge" })),
    h(
      "td",
      {},
      progress,
      h(
        "div",
        { class: "progress-text" },
        h("span", { class: "progress-message" }),
        h("span", { class: "progress-pct" }),
      ),
    ),
    h("td", {}, h("time", { class: "job-time" })),
    h("td", { class: "job-actions" }),
  );
  row._parts = {
    badge: row.querySelector(".status-badge"),
    bar,
    progress,
    message: row.querySelector(".progress-message"),
    pct: row.querySelector(".progress-pct"),
    error: row.querySelector(".job-error"),
    artifacts: row.querySelector(".job-artifacts"),
    time: row.querySelector("time"),
    actions: row.querySelector(".job-actions"),
  };
  return row;
}

function actionButton(job) {
  if (job.status === "queued" || job.status === "running") {
    return h("button", {
      type: "button",
      class: "btn btn-sm btn-danger",
      "data-action": "cancel",
      "aria-label": t("jobs.cancel_label", { id: shortId(job.id) }),
      disabled: job.cancel_requested ? true : false,
      text: t("jobs.cancel"),
    });
  }
  if (job.status === "failed" || job.status === "canceled") {
    return h("button", {
      type: "button",
      class: "btn btn-sm btn-secondary",
      "data-action": "retry",
      "aria-label": t("jobs.retry_label", { id: shortId(job.id) }),
      text: t("jobs.retry"),
    });
  }
  return null;
}

function updateRow(row, job) {
  const p = row._parts;
  const statusChanged = row.dataset.status !== job.status;
  row.dataset.status = job.status;

  p.badge.className = `badge status-badge status-${job.status}`;
  p.badge.textContent = t(`jobs.status.${job.status}`);

  const pct = percent(job);
  p.bar.style.width = `${pct}%`;
  p.progress.setAttribute("aria-valuenow", String(pct));
  const { step = 0, total: steps = 0, message = "" } = job.progress || {};
  p.progress.setAttribute("aria-valuetext", steps ? `${step} / ${steps}` : `${pct}%`);
  p.message.textContent = message || (steps ? `${step} / ${steps}` : "");
  p.message.title = message || "";
  p.pct.textContent = `${pct}%`;

  const error = job.error && (job.error.message || job.error.code);
  p.error.hidden = !error;
  p.error.textContent = error ? `${t("jobs.error_label")}: ${error}` : "";

  const artifacts = job.artifacts || [];
  p.artifacts.hidden = artifacts.length === 0;
  p.artifacts.replaceChildren(
    ...artifacts.map((a) => h("a", { href: a.url, target: "_blank", rel: "noopener", text: a.name })),
  );

  const created = parseTime(job.created_at);
  if (created) {
    p.time.dateTime = created.toISOString();
    p.time.title = absolute.format(created);
    p.time.textContent = timeAgo(created);
  }

  // Rebuild the buttons only when the status changes, so focus is not lost on every step.
  if (statusChanged || p.actions.dataset.cancelRequested !== String(!!job.cancel_requested)) {
    const hadFocus = p.actions.contains(document.activeElement);
    p.actions.dataset.cancelRequested = String(!!job.cancel_requested);
    const button = actionButton(job);
    p.actions.replaceChildren(...(button ? [button] : []));
    if (hadFocus && button) button.focus();
  }
}

function upsert(job, { atTop = false } = {}) {
  const previous = jobs.get(job.id);
  // Ignore stale snapshots (the list and the socket can race).
  if (previous && parseTime(job.updated_at) < parseTime(previous.updated_at)) return;
  jobs.set(job.id, job);
  let row = rows.get(job.id);
  if (!row) {
    row = buildRow(job);
    rows.set(job.id, row);
    if (atTop) body.prepend(row);
    else body.append(row);
  }
  updateRow(row, job);
  if (!TERMINAL.has(job.status)) watch(job.id);
  refreshChrome();
}

function refreshChrome() {
  const shown = rows.size;
  root.dataset.state = shown ? "ready" : "empty";
  loading.hidden = true;
  table.hidden = shown === 0;
  empty.hidden = shown !== 0;
  count.textContent = shown ? t("jobs.count", { shown, total: Math.max(total, shown) }) : "";
}

function say(message, kind = "info") {
  notice.textContent = message;
  notice.className = kind === "error" ? "notice notice-error" : "notice";
  notice.hidden = !message;
}

function setLive(ok) {
  live.hidden = false;
  live.dataset.live = ok ? "true" : "false";
  live.querySelector(".live-text").textContent = ok ? t("jobs.live") : t("jobs.reconnecting");
}

// ---- live updates ----------------------------------------------------------------------------

function watch(id) {
  if (sockets.has(id) || sockets.size >= MAX_SOCKETS) return;
  const socket = new WebSocket(wsUrl(`/api/v1/jobs/${encodeURIComponent(id)}/events`));
  sockets.set(id, socket);
  socket.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === "job" && message.job) upsert(message.job);
  });
  // Closed after the final state, or dropped: either way the next list refresh reopens it
  // if the job is still going.
  socket.addEventListener("close", () => sockets.delete(id));
}

async function loadList() {
  try {
    const data = await api(`/api/v1/jobs?limit=${LIST_LIMIT}`);
    total = data.total;
    const ids = data.items.map((job) => job.id);
    // New jobs (not yet shown) go on top, in the server's newest-first order.
    const fresh = data.items.filter((job) => !rows.has(job.id)).reverse();
    for (const job of data.items) if (rows.has(job.id)) upsert(job);
    for (const job of fresh) upsert(job, { atTop: true });
    // Keep the table to the newest LIST_LIMIT jobs.
    const keep = new Set(ids);
    const extra = [...rows.keys()].filter((id) => !keep.has(id));
    if (rows.size > LIST_LIMIT) {
      for (const id of extra.slice(0, rows.size - LIST_LIMIT)) {
        rows.get(id).remove();
        rows.delete(id);
        jobs.delete(id);
      }
    }
    refreshChrome();
    setLive(true);
    if (notice.dataset.source === "load") {
      say("");
      delete notice.dataset.source;
    }
  } catch (err) {
    setLive(false);
    if (rows.size === 0) {
      loading.hidden = true;
      root.dataset.state = "error";
    }
    say(t("jobs.error.load", { message: errorText(err) }), "error");
    notice.dataset.source = "load";
  }
}

function startPolling() {
  stopPolling();
  pollTimer = setInterval(loadList, POLL_MS);
}

function stopPolling() {
  if (pollTimer) clearInterval(pollTimer);
  pollTimer = null;
}

// ---- actions ---------------------------------------------------------------------------------

body.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const row = button.closest("tr");
  const id = row.dataset.jobId;
  const action = button.dataset.action;
  button.disabled = true;
  try {
    const job = await api(`/api/v1/jobs/${encodeURIComponent(id)}/${action}`, { method: "POST" });
    upsert(job);
    say("");
  } catch (err) {
    button.disabled = false;
    say(t("jobs.error.action", { message: errorText(err) }), "error");
    loadList();
  }
});

tryButton.addEventListener("click", async () => {
  tryButton.disabled = true;
  try {
    const job = await api("/api/v1/jobs", {
      method: "POST",
      body: {
        kind: "system.sleep",
        params: {
          seconds: Number(tryButton.dataset.seconds || 2),
          steps: Number(tryButton.dataset.steps || 20),
        },
      },
    });
    total += 1;
    upsert(job, { atTop: true });
    const row = rows.get(job.id);
    row.classList.add("is-new");
    setTimeout(() => row.classList.remove("is-new"), 1500);
    say(t("jobs.submitted", { id: shortId(job.id) }));
  } catch (err) {
    say(t("jobs.error.action", { message: errorText(err) }), "error");
  } finally {
    tryButton.disabled = false;
  }
});

document.addEventListener("visibilitychange", () => {
  if (document.hidden) {
    stopPolling();
  } else {
    loadList();
    startPolling();
  }
});

// Keep "2 minutes ago" honest between refreshes.
setInterval(() => {
  for (const [id, row] of rows) updateRow(row, jobs.get(id));
}, 30_000);

loadList();
startPolling();
