// Posture Coach page: webcam → downscaled JPEG frames over a WebSocket → live state, overlay,
// calibration, alerts (notification, sound, tab title), history charts and a photo check.
// Protocol: docs/api.md, "Posture Coach".

import { api, ApiError, wsUrl } from "/static/js/api.js";
import { t } from "/static/js/i18n.js";

const $ = (id) => document.getElementById(id);
const root = $("posture");
const els = {
  stage: $("posture-stage"),
  video: $("posture-video"),
  overlay: $("posture-overlay"),
  pill: $("posture-pill"),
  pillText: $("posture-pill-text"),
  countdown: $("posture-countdown"),
  countdownNum: $("posture-countdown-num"),
  placeholder: $("posture-placeholder"),
  message: $("posture-message"),
  messageTitle: $("posture-message-title"),
  messageBody: $("posture-message-body"),
  start: $("posture-start"),
  pause: $("posture-pause"),
  pauseLabel: $("posture-pause-label"),
  calibrate: $("posture-calibrate"),
  stop: $("posture-stop"),
  conn: $("posture-conn"),
  connText: $("posture-conn-text"),
  fps: $("posture-fps"),
  alertAfter: $("posture-alert-after"),
  sound: $("posture-sound"),
  notify: $("posture-notify"),
  notifyState: $("posture-notify-state"),
  verdictTitle: $("posture-verdict-title"),
  verdictBody: $("posture-verdict-body"),
  badtimer: $("posture-badtimer"),
  metrics: $("posture-metrics"),
  alertCount: $("posture-alert-count"),
  baseline: $("posture-baseline"),
  chart: $("posture-chart"),
  kpis: $("posture-kpis"),
  photoFile: $("posture-photo-file"),
  photoResult: $("posture-photo-result"),
  photoError: $("posture-photo-error"),
  photoCanvas: $("posture-photo-canvas"),
};

const FRAME_MAX_WIDTH = 480; // frames are downscaled in the browser before sending
const JPEG_QUALITY = 0.7;
const params = new URLSearchParams(location.search);
// ?calibration=5 shortens the calibration (demos and tests); 20 s otherwise.
const CALIBRATION_S = Math.min(60, Math.max(2, Number(params.get("calibration")) || 20));
const baseTitle = document.title;

const live = {
  stream: null,
  ws: null,
  timer: null,
  capture: document.createElement("canvas"),
  encoding: false,
  paused: false,
  state: null,
  frames: 0,
  alerts: 0,
  audio: null,
  calibrationEnd: 0,
  countdownTimer: null,
  noPersonSince: 0,
  alertShown: false,
};

// ---- settings (remembered in this browser) -----------------------------------------------

function loadSettings() {
  try {
    const saved = JSON.parse(localStorage.getItem("posture.settings") || "{}");
    if (saved.fps) els.fps.value = String(saved.fps);
    if (saved.alertAfter) els.alertAfter.value = String(saved.alertAfter);
    if (typeof saved.sound === "boolean") els.sound.checked = saved.sound;
  } catch {
    /* ignore a broken entry */
  }
}

function saveSettings() {
  const data = { fps: Number(els.fps.value), alertAfter: alertAfter(), sound: els.sound.checked };
  try {
    localStorage.setItem("posture.settings", JSON.stringify(data));
  } catch {
    /* private mode */
  }
}

function alertAfter() {
  const value = Number(els.alertAfter.value);
  return Number.isFinite(value) ? Math.min(3600, Math.max(1, value)) : 30;
}

// ---- messages over the stage ---------------------------------------------------------------

function showMessage(kind, vars = {}) {
  if (!kind) {
    els.message.hidden = true;
    els.message.dataset.kind = "";
    return;
  }
  els.message.dataset.kind = kind;
  els.messageTitle.textContent = t(`apps.posture.msg.${kind}.title`, vars);
  els.messageBody.textContent = t(`apps.posture.msg.${kind}.body`, vars);
  els.message.hidden = false;
}

function setConn(conn) {
  root.dataset.conn = conn;
  els.connText.textContent = t(`apps.posture.conn.${conn}`);
}

// ---- camera + socket -----------------------------------------------------------------------

function cameraError(err) {
  const name = (err && err.name) || "";
  if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError")
    return "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "DevicesNotFoundError")
    return "no_camera";
  if (name === "NotReadableError" || name === "TrackStartError" || name === "AbortError")
    return "busy";
  return "no_camera";
}

async function start() {
  showMessage(null);
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    showMessage("unsupported");
    return;
  }
  els.start.disabled = true;
  ensureAudio();
  try {
    live.stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" },
      audio: false,
    });
  } catch (err) {
    els.start.disabled = false;
    showMessage(cameraError(err));
    root.dataset.camera = cameraError(err);
    return;
  }
  root.dataset.camera = "on";
  els.video.srcObject = live.stream;
  await els.video.play().catch(() => {});
  els.placeholder.hidden = true;
  els.stage.dataset.live = "true";
  connect();
}

function connect() {
  setConn("connecting");
  const ws = new WebSocket(wsUrl("/api/v1/posture/stream"));
  ws.binaryType = "arraybuffer";
  live.ws = ws;
  ws.addEventListener("open", () => {
    setConn("open");
    ws.send(JSON.stringify({ type: "config", alert_after_s: alertAfter() }));
    live.paused = false;
    els.pause.disabled = false;
    els.calibrate.disabled = false;
    els.stop.disabled = false;
    scheduleFrames();
  });
  ws.addEventListener("message", (event) => {
    if (typeof event.data !== "string") return;
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch {
      return;
    }
    onMessage(msg);
  });
  ws.addEventListener("close", (event) => {
    if (live.ws !== ws) return; // a stream we stopped on purpose
    stopFrames();
    setConn("closed");
    live.ws = null;
    if (event.code !== 1000) showMessage("closed", { code: event.code });
    stop(false);
  });
}

function scheduleFrames() {
  stopFrames();
  const fps = Number(els.fps.value) || 10;
  live.timer = setInterval(sendFrame, 1000 / fps);
}

function stopFrames() {
  if (live.timer) clearInterval(live.timer);
  live.timer = null;
}

function sendFrame() {
  const ws = live.ws;
  const video = els.video;
  // Latest frame wins here too: skip a tick while one is still encoding or still in the
  // socket's send buffer, instead of queueing frames behind a slow network.
  if (!ws || ws.readyState !== WebSocket.OPEN || live.paused || live.encoding) return;
  if (ws.bufferedAmount > 0 || !video.videoWidth) return;
  const scale = Math.min(1, FRAME_MAX_WIDTH / video.videoWidth);
  const w = Math.round(video.videoWidth * scale);
  const h = Math.round(video.videoHeight * scale);
  const canvas = live.capture;
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  canvas.getContext("2d").drawImage(video, 0, 0, w, h);
  live.encoding = true;
  canvas.toBlob(
    async (blob) => {
      try {
        const frame = blob && (await blob.arrayBuffer());
        // Checked after the await: Stop may have closed the socket meanwhile.
        if (frame && ws.readyState === WebSocket.OPEN && !live.paused) {
          ws.send(frame);
          live.frames += 1;
          root.dataset.frames = String(live.frames);
        }
      } finally {
        live.encoding = false;
      }
    },
    "image/jpeg",
    JPEG_QUALITY,
  );
}

function stop(closeSocket = true) {
  stopFrames();
  stopCountdown();
  const ws = live.ws;
  live.ws = null;
  if (closeSocket && ws) ws.close(1000);
  if (live.stream) live.stream.getTracks().forEach((track) => track.stop());
  live.stream = null;
  els.video.srcObject = null;
  els.placeholder.hidden = false;
  els.stage.dataset.live = "false";
  els.pill.hidden = true;
  els.start.disabled = false;
  els.pause.disabled = true;
  els.calibrate.disabled = true;
  els.stop.disabled = true;
  clearOverlay();
  resetNow();
  if (closeSocket) setConn("idle");
  restoreTitle();
  // The server saves the session when it sees the close; give it a moment, then refresh.
  setTimeout(loadHistory, 800);
}

function resetNow() {
  live.state = null;
  root.dataset.state = "none";
  els.verdictTitle.textContent = t("apps.posture.state.none");
  els.verdictBody.textContent = t("apps.posture.state.none.body");
  els.badtimer.hidden = true;
  updateMetrics({});
  if (els.message.dataset.kind === "no_person" || els.message.dataset.kind === "paused")
    showMessage(null);
  live.paused = false;
  els.pauseLabel.textContent = t("apps.posture.pause");
}

function togglePause() {
  const ws = live.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  live.paused = !live.paused;
  ws.send(JSON.stringify({ type: live.paused ? "pause" : "resume" }));
  els.pauseLabel.textContent = t(live.paused ? "apps.posture.resume" : "apps.posture.pause");
  setConn(live.paused ? "paused" : "open");
  root.dataset.paused = String(live.paused);
  if (live.paused) {
    stopCountdown();
    showMessage("paused");
    els.video.pause();
  } else {
    showMessage(null);
    els.video.play().catch(() => {});
  }
}

// ---- calibration ---------------------------------------------------------------------------

function calibrate() {
  const ws = live.ws;
  if (!ws || ws.readyState !== WebSocket.OPEN || live.paused) return;
  ws.send(JSON.stringify({ type: "calibrate", seconds: CALIBRATION_S }));
  live.calibrationEnd = performance.now() + CALIBRATION_S * 1000;
  els.calibrate.disabled = true;
  els.countdown.hidden = false;
  root.dataset.calibrating = "true";
  tickCountdown();
  live.countdownTimer = setInterval(tickCountdown, 250);
}

function tickCountdown() {
  const left = Math.max(0, Math.ceil((live.calibrationEnd - performance.now()) / 1000));
  els.countdownNum.textContent = String(left);
}

function stopCountdown() {
  if (live.countdownTimer) clearInterval(live.countdownTimer);
  live.countdownTimer = null;
  els.countdown.hidden = true;
  root.dataset.calibrating = "false";
  els.calibrate.disabled = !live.ws;
}

function onCalibration(msg) {
  if (msg.status === "done") {
    stopCountdown();
    root.dataset.calibrated = "true";
    const when = new Date(msg.baseline && msg.baseline.created_at ? msg.baseline.created_at : Date.now());
    els.baseline.textContent = t("apps.posture.baseline.set_on", { when: when.toLocaleString() });
    els.calibrate.querySelector("span").textContent = t("apps.posture.calibrate.again");
    flash(t("apps.posture.calibrate.done"));
  } else if (msg.status === "failed") {
    stopCountdown();
    flash(t("apps.posture.calibrate.failed"), true);
  } else if (msg.status === "canceled") {
    stopCountdown();
  }
}

function flash(text, isError = false) {
  els.baseline.textContent = text;
  els.baseline.dataset.flash = isError ? "error" : "ok";
}

// ---- state messages ---------------------------------------------------------------------------

function onMessage(msg) {
  switch (msg.type) {
    case "ready":
      root.dataset.calibrated = String(msg.calibrated);
      root.dataset.session = msg.session;
      break;
    case "state":
      onState(msg);
      break;
    case "alert":
      onAlert(msg);
      break;
    case "calibration":
      onCalibration(msg);
      break;
    case "error":
      root.dataset.lastError = msg.error ? msg.error.code : "error";
      break;
    default:
      break;
  }
}

const fmtTime = (seconds) => {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
};

function onState(msg) {
  if (live.paused) return;
  const state = msg.state || "none";
  live.state = state;
  root.dataset.state = state;
  els.pill.hidden = !msg.state;
  els.pill.dataset.state = state;
  els.pillText.textContent = msg.state ? t(`apps.posture.state.${state}`) : "";
  els.verdictTitle.textContent = t(`apps.posture.state.${state}`);
  let body = t(`apps.posture.state.${state}.body`);
  if (msg.person && msg.reasons && msg.reasons.length && state !== "good") {
    body = msg.reasons.map((r) => t(`apps.posture.reason.${r}`)).join(" · ");
  }
  if (!msg.calibrated && msg.person) body += ` ${t("apps.posture.state.uncalibrated")}`;
  els.verdictBody.textContent = body;

  // No person: say so after a second without one, so a single missed frame does not flash.
  if (!msg.person) {
    live.noPersonSince = live.noPersonSince || performance.now();
    if (performance.now() - live.noPersonSince > 1000) showMessage("no_person");
  } else {
    live.noPersonSince = 0;
    if (els.message.dataset.kind === "no_person") showMessage(null);
  }

  if (msg.bad_for_s >= 1) {
    els.badtimer.hidden = false;
    els.badtimer.textContent = t("apps.posture.badtimer", {
      s: Math.floor(msg.bad_for_s),
      after: Math.round(msg.alert_after_s),
    });
  } else {
    els.badtimer.hidden = true;
  }
  if (state !== "bad") restoreTitle();

  updateMetrics(msg);
  for (const [key, seconds] of Object.entries(msg.totals || {})) {
    const dd = els.metrics.ownerDocument.querySelector(`[data-total="${key}"]`);
    if (dd) dd.textContent = fmtTime(seconds);
  }
  live.alerts = msg.alerts || live.alerts;
  els.alertCount.textContent = String(live.alerts);
  drawOverlay(msg);
}

function updateMetrics(msg) {
  const f = msg.features;
  const dev = msg.deviations || {};
  const set = (key, text) => {
    const row = els.metrics.querySelector(`[data-metric="${key}"]`);
    if (!row) return;
    row.querySelector("[data-value]").textContent = text;
    const share = Math.max(0, Math.min(1.2, dev[key] ?? 0));
    const bar = row.querySelector(".posture-bar > span");
    bar.style.width = `${(share / 1.2) * 100}%`;
    row.dataset.level = share >= 1 ? "bad" : share >= 0.6 ? "warn" : "good";
  };
  if (!f) {
    for (const key of ["neck_inclination", "head_forward", "head_drop", "shoulder_tilt", "too_close"])
      set(key, "–");
    return;
  }
  set("neck_inclination", f.neck_inclination_deg == null ? "–" : `${Math.round(f.neck_inclination_deg)}°`);
  set("head_forward", f.head_forward == null ? "–" : f.head_forward.toFixed(2));
  set("shoulder_tilt", f.shoulder_tilt_deg == null ? "–" : `${Math.abs(f.shoulder_tilt_deg).toFixed(1)}°`);
  const drop = dev.head_drop;
  set("head_drop", drop == null ? "–" : t("apps.posture.metric.lower", { pct: Math.round(drop * 20) }));
  const close = dev.too_close;
  const parts = [];
  if (close != null) parts.push(t("apps.posture.metric.closer", { pct: Math.round(close * 30) }));
  // An estimate from the face box (assumed face width and field of view: see distance.py).
  if (msg.screen_distance) parts.push(t("apps.posture.metric.cm", { cm: Math.round(msg.screen_distance.cm) }));
  set("too_close", parts.length ? parts.join(" · ") : "–");
}

// ---- overlay ------------------------------------------------------------------------------------

const NAMES = [
  "nose", "left_eye", "right_eye", "left_ear", "right_ear", "mouth_left", "mouth_right",
  "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_hip", "right_hip",
];
const BONES = [
  ["left_ear", "left_eye"], ["left_eye", "nose"], ["nose", "right_eye"], ["right_eye", "right_ear"],
  ["mouth_left", "mouth_right"], ["left_shoulder", "right_shoulder"],
  ["left_shoulder", "left_elbow"], ["right_shoulder", "right_elbow"],
  ["left_shoulder", "left_hip"], ["right_shoulder", "right_hip"], ["left_hip", "right_hip"],
];
const STATE_COLORS = { good: "#22c55e", warn: "#f5b700", bad: "#ef4444", away: "#94a3b8", none: "#94a3b8" };

function clearOverlay() {
  const ctx = els.overlay.getContext("2d");
  ctx.clearRect(0, 0, els.overlay.width, els.overlay.height);
}

function drawOverlay(msg) {
  const canvas = els.overlay;
  const rect = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(rect.width * dpr);
  const h = Math.round(rect.height * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, w, h);
  if (!msg.landmarks) return;
  // The video is shown with object-fit: cover; map frame coordinates the same way.
  const [fw, fh] = msg.frame;
  const scale = Math.max(w / fw, h / fh);
  const ox = (w - fw * scale) / 2;
  const oy = (h - fh * scale) / 2;
  const pts = {};
  msg.landmarks.forEach(([x, y, v], i) => {
    pts[NAMES[i]] = { x: ox + x * fw * scale, y: oy + y * fh * scale, v };
  });
  const color = STATE_COLORS[msg.state || "none"];
  ctx.lineCap = "round";
  ctx.lineWidth = 3 * dpr;
  ctx.strokeStyle = color;
  ctx.globalAlpha = 0.9;
  for (const [a, b] of BONES) {
    const p = pts[a];
    const q = pts[b];
    if (p.v < 0.5 || q.v < 0.5) continue;
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    ctx.lineTo(q.x, q.y);
    ctx.stroke();
  }
  // The ear → shoulder lines are what the coach watches: drawn thicker, dashed.
  ctx.setLineDash([6 * dpr, 5 * dpr]);
  ctx.lineWidth = 4 * dpr;
  for (const side of ["left", "right"]) {
    const ear = pts[`${side}_ear`];
    const sh = pts[`${side}_shoulder`];
    if (ear.v < 0.5 || sh.v < 0.5) continue;
    ctx.beginPath();
    ctx.moveTo(ear.x, ear.y);
    ctx.lineTo(sh.x, sh.y);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  for (const p of Object.values(pts)) {
    if (p.v < 0.5) continue;
    ctx.beginPath();
    ctx.fillStyle = "#ffffff";
    ctx.arc(p.x, p.y, 4.5 * dpr, 0, Math.PI * 2);
    ctx.fill();
    ctx.lineWidth = 2 * dpr;
    ctx.stroke();
  }
  ctx.globalAlpha = 1;
}

// ---- alerts: notification, sound, tab title -----------------------------------------------

function ensureAudio() {
  if (live.audio) return;
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (Ctx) live.audio = new Ctx(); // created on a click, so browsers let it play later
}

function beep() {
  const ctx = live.audio;
  if (!ctx || !els.sound.checked) return;
  if (ctx.state === "suspended") ctx.resume();
  const now = ctx.currentTime;
  for (const [offset, freq] of [[0, 880], [0.22, 660]]) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.25, now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.18);
    osc.connect(gain).connect(ctx.destination);
    osc.start(now + offset);
    osc.stop(now + offset + 0.2);
  }
}

function onAlert(msg) {
  live.alerts = msg.alerts;
  root.dataset.alerts = String(msg.alerts);
  els.alertCount.textContent = String(msg.alerts);
  const title = t("apps.posture.alert.title");
  const body = t("apps.posture.alert.body", { s: Math.round(msg.bad_for_s) });
  document.title = `⚠ ${title} · ${baseTitle}`;
  live.alertShown = true;
  beep();
  root.dataset.sound = els.sound.checked && live.audio ? "played" : "off";
  if ("Notification" in window && Notification.permission === "granted") {
    try {
      new Notification(title, { body, tag: "posture-alert", renotify: true });
      root.dataset.notified = "true";
    } catch {
      root.dataset.notified = "failed";
    }
  }
}

function restoreTitle() {
  if (live.alertShown) {
    document.title = baseTitle;
    live.alertShown = false;
  }
}

function showNotifyState() {
  if (!("Notification" in window)) {
    els.notifyState.textContent = t("apps.posture.notify.unsupported");
    els.notify.hidden = true;
    return;
  }
  const p = Notification.permission;
  els.notify.hidden = p !== "default";
  els.notifyState.textContent =
    p === "granted" ? t("apps.posture.notify.granted") : p === "denied" ? t("apps.posture.notify.denied") : "";
}

// ---- history ---------------------------------------------------------------------------------------

let period = "day";

async function loadHistory() {
  const tz = new Date().getTimezoneOffset();
  const size = els.chart.parentElement.clientWidth < 560 ? "compact" : "wide";
  const lang = document.documentElement.lang;
  els.chart.src = `/api/v1/posture/charts/${period}.svg?tz=${tz}&lang=${lang}&size=${size}&t=${Date.now()}`;
  els.chart.alt = t(`apps.posture.chart.title.${period}`);
  try {
    const stats = await api(`/api/v1/posture/stats?period=${period}&tz=${tz}`);
    const tot = stats.totals;
    const seated = tot.seconds.good + tot.seconds.warn + tot.seconds.bad;
    const kpi = (name, text) => {
      els.kpis.querySelector(`[data-kpi="${name}"]`).textContent = text;
    };
    kpi("good_share", tot.good_share == null ? "–" : `${Math.round(tot.good_share * 100)}%`);
    kpi("seated", fmtTime(seated));
    kpi("alerts", String(tot.alerts));
    kpi("sessions", String(tot.sessions));
  } catch {
    /* the chart still shows; the numbers stay as they were */
  }
}

for (const tab of document.querySelectorAll(".posture-periods [data-period]")) {
  tab.addEventListener("click", () => {
    period = tab.dataset.period;
    for (const other of document.querySelectorAll(".posture-periods [data-period]"))
      other.setAttribute("aria-selected", String(other === tab));
    loadHistory();
  });
}

// ---- photo check ------------------------------------------------------------------------------

async function downscaleFile(file, maxSide = 1600) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
  return { blob, canvas };
}

function drawPhoto(canvas, result) {
  const out = els.photoCanvas;
  out.width = canvas.width;
  out.height = canvas.height;
  const ctx = out.getContext("2d");
  ctx.drawImage(canvas, 0, 0);
  const [w, h] = [canvas.width, canvas.height];
  const pts = {};
  result.landmarks.forEach(([x, y, v], i) => {
    pts[NAMES[i]] = { x: x * w, y: y * h, v };
  });
  const color = STATE_COLORS[result.verdict || "none"];
  const lw = Math.max(2, w / 250);
  ctx.lineWidth = lw;
  ctx.strokeStyle = color;
  if (result.view === "side") {
    // The angle as measured: from C7 (the back of the neck) to the midpoint of the ears.
    const ear = { x: (pts.left_ear.x + pts.right_ear.x) / 2, y: (pts.left_ear.y + pts.right_ear.y) / 2 };
    const sh = result.c7
      ? { x: result.c7.x * w, y: result.c7.y * h }
      : { x: (pts.left_shoulder.x + pts.right_shoulder.x) / 2, y: (pts.left_shoulder.y + pts.right_shoulder.y) / 2 };
    ctx.setLineDash([lw * 3, lw * 2]);
    ctx.beginPath();
    ctx.moveTo(sh.x - w * 0.12, sh.y);
    ctx.lineTo(sh.x + w * 0.12, sh.y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.beginPath();
    ctx.moveTo(sh.x, sh.y);
    ctx.lineTo(ear.x, ear.y);
    ctx.stroke();
    for (const p of [ear, sh]) {
      ctx.beginPath();
      ctx.fillStyle = "#fff";
      ctx.arc(p.x, p.y, lw * 2.2, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    }
    ctx.font = `700 ${Math.max(14, w / 28)}px system-ui, sans-serif`;
    ctx.fillStyle = color;
    ctx.lineWidth = lw * 2;
    ctx.strokeStyle = "#fff";
    const label = `${result.cva_deg.toFixed(1)}°`;
    ctx.strokeText(label, sh.x + lw * 4, sh.y - lw * 4);
    ctx.fillText(label, sh.x + lw * 4, sh.y - lw * 4);
  } else {
    for (const [a, b] of BONES) {
      const p = pts[a];
      const q = pts[b];
      if (p.v < 0.5 || q.v < 0.5) continue;
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(q.x, q.y);
      ctx.stroke();
    }
  }
  out.hidden = false;
}

function renderPhotoResult(result) {
  const box = els.photoResult;
  box.replaceChildren();
  box.dataset.verdict = result.verdict || "none";
  const view = document.createElement("p");
  view.className = "posture-photo-view";
  view.textContent = t(`apps.posture.photo.${result.view}`);
  box.append(view);
  if (result.cva_deg != null) {
    const cva = document.createElement("p");
    cva.className = "posture-photo-cva";
    cva.innerHTML = "";
    const label = document.createElement("span");
    label.textContent = t("apps.posture.photo.cva");
    const value = document.createElement("strong");
    value.id = "posture-photo-cva";
    value.textContent = `${result.cva_deg.toFixed(1)}°`;
    cva.append(label, value);
    box.append(cva);
  }
  const verdict = document.createElement("p");
  verdict.className = "posture-photo-verdict";
  verdict.dataset.verdict = result.verdict || "none";
  const reasons = result.reasons || [];
  const slouchOnly = reasons.length === 1 && reasons[0] === "slouch";
  verdict.textContent = t(`apps.posture.photo.verdict.${result.verdict || "none"}${slouchOnly ? "_slouch" : ""}`);
  box.append(verdict);
  if (result.trunk_inclination_deg != null) {
    const trunk = document.createElement("p");
    trunk.className = "posture-photo-trunk";
    trunk.textContent = `${t("apps.posture.photo.trunk")}: ${result.trunk_inclination_deg.toFixed(0)}°`;
    box.append(trunk);
  }
  if (reasons.length) {
    const why = document.createElement("p");
    why.className = "posture-photo-reasons";
    why.textContent = t("apps.posture.photo.reasons", { reasons: reasons.map((r) => t(`apps.posture.reason.${r}`)).join(" · ") });
    box.append(why);
  }
  const notes = [];
  if (result.basis === "cva") {
    notes.push(t("apps.posture.photo.cutoffs", { good: result.cutoffs.good_from_deg, bad: result.cutoffs.bad_below_deg }));
    notes.push(t("apps.posture.photo.citation"));
    notes.push(t(result.c7 && result.c7.source === "shoulder" ? "apps.posture.photo.note.c7_shoulder" : "apps.posture.photo.note.c7"));
  } else if (result.basis === "baseline") {
    notes.push(t("apps.posture.photo.note.baseline"));
  } else {
    notes.push(t("apps.posture.photo.note.front"));
  }
  for (const text of notes) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = text;
    box.append(p);
  }
  box.hidden = false;
}

els.photoFile.addEventListener("change", async () => {
  const file = els.photoFile.files && els.photoFile.files[0];
  if (!file) return;
  els.photoError.hidden = true;
  els.photoResult.hidden = false;
  els.photoResult.textContent = t("apps.posture.photo.analyzing");
  try {
    const { blob, canvas } = await downscaleFile(file);
    const form = new FormData();
    form.append("file", blob, "photo.jpg");
    const result = await api("/api/v1/posture/analyze", { method: "POST", body: form });
    renderPhotoResult(result);
    drawPhoto(canvas, result);
  } catch (err) {
    els.photoResult.hidden = true;
    els.photoCanvas.hidden = true;
    els.photoError.textContent = err instanceof ApiError && err.message ? err.message : String(err);
    els.photoError.hidden = false;
  } finally {
    els.photoFile.value = "";
  }
});

// ---- wiring ------------------------------------------------------------------------------------------

els.start.addEventListener("click", start);
els.stop.addEventListener("click", () => stop(true));
els.pause.addEventListener("click", togglePause);
els.calibrate.addEventListener("click", calibrate);
els.fps.addEventListener("change", () => {
  saveSettings();
  if (live.timer) scheduleFrames();
});
els.alertAfter.addEventListener("change", () => {
  saveSettings();
  if (live.ws && live.ws.readyState === WebSocket.OPEN)
    live.ws.send(JSON.stringify({ type: "config", alert_after_s: alertAfter() }));
});
els.sound.addEventListener("change", saveSettings);
els.notify.addEventListener("click", async () => {
  if (!("Notification" in window)) return;
  await Notification.requestPermission();
  showNotifyState();
});
window.addEventListener("pagehide", () => {
  if (live.ws) live.ws.close(1000);
});

loadSettings();
showNotifyState();
if (els.baseline.dataset.when) {
  els.baseline.textContent = t("apps.posture.baseline.set_on", {
    when: new Date(els.baseline.dataset.when).toLocaleString(),
  });
  els.calibrate.querySelector("span").textContent = t("apps.posture.calibrate.again");
}
loadHistory();
root.dataset.ready = "true";
