// Photos are shrunk in the browser before upload: decoded upright (EXIF orientation applied by
// createImageBitmap's imageOrientation: "from-image"), scaled to a longest side and pixel count,
// and encoded as JPEG, lowering the quality and then the size until the byte budget fits.
// The server still checks every upload against its own limits. Used by every app page.

export class PhotoError extends Error {
  constructor(code) {
    super(code);
    this.code = code;
  }

  get kind() {
    return this.code;
  }
}

const QUALITIES = [0.9, 0.82, 0.72];

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
      const width = Math.max(1, Math.min(maxSide, Math.round(width0 * scale)));
      const height = Math.max(1, Math.min(maxSide, Math.round(height0 * scale)));
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
