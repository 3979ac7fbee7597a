// Sketch Studio helpers: photo preparation (re-exported from photo.js) and following a job.
//
// watchJob(id, onUpdate): follows /api/v1/jobs/{id}/events over a WebSocket and resolves with
// the final job; when the socket cannot be used it falls back to polling GET /api/v1/jobs/{id}.

import { api, wsUrl } from "/static/js/api.js";

export { PhotoError, prepareImage } from "/static/js/photo.js";

const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

/** Follow a job until it ends; onUpdate(job) gets every snapshot. Resolves with the last. */
export function watchJob(id, onUpdate = () => {}) {
  return new Promise((resolve) => {
    let last = null;
    let done = false;
    const finish = (job) => {
      if (done) return;
      done = true;
      resolve(job);
    };
    const poll = async () => {
      while (!done) {
        try {
          const job = await api(`/api/v1/jobs/${id}`);
          last = job;
          onUpdate(job);
          if (TERMINAL.has(job.status)) return finish(job);
        } catch {
          // a blip: try again
        }
        await new Promise((r) => setTimeout(r, 700));
      }
    };
    let socket;
    try {
      socket = new WebSocket(wsUrl(`/api/v1/jobs/${id}/events`));
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
      if (msg.type !== "job") return;
      last = msg.job;
      onUpdate(msg.job);
      if (TERMINAL.has(msg.job.status)) finish(msg.job);
    });
    socket.addEventListener("close", () => {
      if (!done && !(last && TERMINAL.has(last.status))) poll();
    });
  });
}

/** 0-100 for a job snapshot. */
export function jobPercent(job) {
  if (job.status === "succeeded") return 100;
  const { step = 0, total = 0 } = job.progress || {};
  return total ? Math.max(0, Math.min(100, Math.round((step / total) * 100))) : 0;
}
