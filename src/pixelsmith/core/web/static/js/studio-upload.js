// Sketch Studio helpers: shrink photos in the browser before upload, and follow a job.
//
// prepareImage(file, budget): decodes the file upright (EXIF orientation applied by
// createImageBitmap's imageOrientation: "from-image"), scales it down to the budget's longest
// side and pixel count, and encodes it as JPEG, lowering the quality and then the size until it
// fits the byte budget. The server still checks every upload against its own limits.
//
// watchJob(id, onUpdate): follows /api/v1/jobs/{id}/events over a WebSocket and resolves with
// the final job; when the socket cannot be used it falls back to polling GET /api/v1/jobs/{id}.

import { api, wsUrl } from "./api.js";

export class PhotoError extends Error {
  constructor(code) {
    super(code);
    this.code = code;
  }
}

const QUALITIES = [0.9, 0.82, 0.72];
const TERMINAL = new Set(["succeeded", "failed", "canceled"]);

async function decode(file) {
  if (typeof createImageBitmap === "function") {
    try {
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch {
      throw new PhotoError("not_image");
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } catch {
    throw new PhotoError("not_image");
  } finally {
    URL.revokeObjectURL(url);
  }
}

function toBlob(canvas, type, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

/**
 * The file as an upload: { blob, width, height, resized, name }.
 * budget: { maxSide = 2560, maxPixels = Infinity, maxBytes = 4 MB, keepSmall = true }.
 * A file already within every limit is sent as it is (keepSmall), so PNG sketches stay PNG.
 */
export async function prepareImage(file, budget = {}) {
  const { maxSide = 2560, maxPixels = Infinity, maxBytes = 4 * 1024 * 1024, keepSmall = true } =
    budget;
  const source = await decode(file);
  const width0 = source.width || source.naturalWidth;
  const height0 = source.height || source.naturalHeight;
  if (!width0 || !height0) throw new PhotoError("not_image");
  let scale = Math.min(1, maxSide / Math.max(width0, height0), Math.sqrt(maxPixels / (width0 * height0)));
  const name = (file.name || "image").replace(/\.[^.]*$/, "") + ".jpg";
  try {
    const plain = ["image/jpeg", "image/png", "image/webp"].includes(file.type);
    if (keepSmall && scale >= 1 && plain && file.size <= maxBytes) {
      // The server applies EXIF orientation the same way, so the preview and the result agree.
      return { blob: file, width: width0, height: height0, resized: false, name: file.name };
    }
    for (let attempt = 0; attempt < 6; attempt++) {
      const width = Math.max(1, Math.floor(width0 * scale));
      const height = Math.max(1, Math.floor(height0 * scale));
      const canvas = document.createElement("canvas");
      canvas.width = width;
      canvas.height = height;
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; // transparency becomes white, not black
      ctx.fillRect(0, 0, width, height);
      ctx.imageSmoothingQuality = "high";
      ctx.drawImage(source, 0, 0, width, height);
      for (const quality of QUALITIES) {
        const blob = await toBlob(canvas, "image/jpeg", quality);
        if (!blob) throw new PhotoError("not_image");
        if (blob.size <= maxBytes) {
          return { blob, width, height, resized: scale < 1, name };
        }
      }
      scale *= 0.8;
    }
  } finally {
    source.close?.();
  }
  throw new PhotoError("too_large");
}

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
