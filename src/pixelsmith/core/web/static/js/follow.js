// Following a job from a page: its WebSocket of events, or polling when the socket fails.
// Shared by the apps whose pages start jobs (Desk Makeover, Backdrop Studio).

import { api, wsUrl } from "./api.js";

export const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

/** Follow a job to its end over /api/v1/jobs/{id}/events (polling if the socket fails). */
export function followJob(id, onUpdate) {
  return new Promise((resolve) => {
    let done = false;
    let last = null;
    const see = (job) => {
      if (done || !job) return;
      last = job;
      onUpdate(job);
      if (TERMINAL.has(job.status)) {
        done = true;
        resolve(job);
      }
    };
    const poll = async () => {
      while (!done) {
        try {
          see(await api(`/api/v1/jobs/${encodeURIComponent(id)}`));
        } catch {
          // a blip: the next round asks again
        }
        if (!done) await new Promise((r) => setTimeout(r, 800));
      }
    };
    let socket;
    try {
      socket = new WebSocket(wsUrl(`/api/v1/jobs/${encodeURIComponent(id)}/events`));
    } catch {
      poll();
      return;
    }
    socket.addEventListener("message", (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if (msg.type === "job") see(msg.job);
    });
    socket.addEventListener("close", () => {
      if (!done && !(last && TERMINAL.has(last.status))) poll();
    });
  });
}

/** A button's busy state: disabled, aria-busy, and its data-busy-label while busy. */
export function setBusy(btn, busy) {
  const label = btn.querySelector(".btn-label");
  if (label) {
    if (!btn.dataset.idleLabel) btn.dataset.idleLabel = label.textContent;
    label.textContent = busy ? btn.dataset.busyLabel || label.textContent : btn.dataset.idleLabel;
  }
  btn.disabled = busy;
  btn.setAttribute("aria-busy", String(busy));
}
