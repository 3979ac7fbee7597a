// The sketch canvas: pen and eraser at three sizes, undo/redo, clear, and pictures (edge maps)
// placed on it. Pointer events, so mouse, pen and touch all draw; touch-action: none on the
// canvas keeps a finger from scrolling the page while drawing.
//
// The drawing is a list of operations (strokes, placed images, clears), redrawn from scratch
// on undo/redo: exact, and cheap at 768×768. Strokes are in canvas pixels, whatever size the
// canvas is shown at.

const WHITE = "#ffffff";
const INK = "#111111";

export class SketchCanvas {
  constructor(canvas, { onChange = () => {} } = {}) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d", { willReadFrequently: true });
    this.ops = [];
    this.undone = [];
    this.tool = "pen";
    this.size = 7;
    this.current = null;
    this.onChange = onChange;
    this.redraw();
    canvas.addEventListener("pointerdown", (e) => this.#down(e));
    canvas.addEventListener("pointermove", (e) => this.#move(e));
    canvas.addEventListener("pointerup", (e) => this.#up(e));
    canvas.addEventListener("pointercancel", (e) => this.#up(e));
    canvas.addEventListener("lostpointercapture", (e) => this.#up(e));
  }

  get canUndo() {
    return this.ops.length > 0;
  }

  get canRedo() {
    return this.undone.length > 0;
  }

  /** True when nothing is drawn since the start or the last clear. */
  get isEmpty() {
    const last = this.ops.length ? this.ops[this.ops.length - 1] : null;
    return !last || last.type === "clear";
  }

  #point(e) {
    const rect = this.canvas.getBoundingClientRect();
    return [
      ((e.clientX - rect.left) / rect.width) * this.canvas.width,
      ((e.clientY - rect.top) / rect.height) * this.canvas.height,
    ];
  }

  #down(e) {
    if (e.button !== undefined && e.button > 0) return; // right/middle mouse button
    e.preventDefault();
    try {
      this.canvas.setPointerCapture?.(e.pointerId);
    } catch {
      // a pointer the browser no longer tracks: draw without capture
    }
    // Pen pressure when there is any (mouse reports 0.5).
    const width = this.size * (e.pointerType === "pen" && e.pressure ? 0.5 + e.pressure : 1);
    this.current = {
      type: "stroke",
      tool: this.tool,
      width: this.tool === "eraser" ? this.size * 3 : width,
      points: [this.#point(e)],
      pointerId: e.pointerId,
    };
    this.#drawStroke(this.current);
  }

  #move(e) {
    if (!this.current || e.pointerId !== this.current.pointerId) return;
    e.preventDefault();
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    for (const ev of events.length ? events : [e]) this.current.points.push(this.#point(ev));
    this.#drawStroke(this.current, Math.max(0, this.current.points.length - events.length - 1));
  }

  #up(e) {
    if (!this.current || e.pointerId !== this.current.pointerId) return;
    const stroke = this.current;
    this.current = null;
    delete stroke.pointerId;
    this.#push(stroke);
  }

  #push(op) {
    this.ops.push(op);
    this.undone = [];
    this.onChange(this);
  }

  #drawStroke(stroke, from = 0) {
    const ctx = this.ctx;
    ctx.save();
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.lineWidth = stroke.width;
    ctx.strokeStyle = stroke.tool === "eraser" ? WHITE : INK;
    ctx.fillStyle = ctx.strokeStyle;
    const pts = stroke.points;
    if (pts.length === 1) {
      ctx.beginPath();
      ctx.arc(pts[0][0], pts[0][1], stroke.width / 2, 0, Math.PI * 2);
      ctx.fill();
    } else {
      ctx.beginPath();
      ctx.moveTo(...pts[Math.max(0, from)]);
      for (let i = Math.max(1, from + 1); i < pts.length; i++) ctx.lineTo(...pts[i]);
      ctx.stroke();
    }
    ctx.restore();
  }

  redraw() {
    const { ctx, canvas } = this;
    ctx.fillStyle = WHITE;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (const op of this.ops) {
      if (op.type === "clear") {
        ctx.fillStyle = WHITE;
        ctx.fillRect(0, 0, canvas.width, canvas.height);
      } else if (op.type === "image") {
        // A placed picture replaces what was there (one step to undo).
        const { image, x, y, w, h } = op;
        ctx.fillStyle = WHITE;
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(image, x, y, w, h);
      } else {
        this.#drawStroke(op);
      }
    }
  }

  setTool(tool) {
    this.tool = tool;
  }

  setSize(size) {
    this.size = size;
  }

  undo() {
    if (!this.ops.length) return;
    this.undone.push(this.ops.pop());
    this.redraw();
    this.onChange(this);
  }

  redo() {
    if (!this.undone.length) return;
    this.ops.push(this.undone.pop());
    this.redraw();
    this.onChange(this);
  }

  clear() {
    if (this.isEmpty) return;
    this.#push({ type: "clear" });
    this.redraw();
  }

  /** Place a picture (e.g. an edge map) centred and fitted, on a white background. */
  placeImage(image) {
    const { width: cw, height: ch } = this.canvas;
    const iw = image.width || image.naturalWidth;
    const ih = image.height || image.naturalHeight;
    const scale = Math.min(cw / iw, ch / ih);
    const w = iw * scale;
    const h = ih * scale;
    this.#push({ type: "image", image, x: (cw - w) / 2, y: (ch - h) / 2, w, h });
    this.redraw();
  }

  /** Dark pixels (ink) on the canvas, 0..1 — used by tests and to refuse empty sketches. */
  inkRatio() {
    const { data } = this.ctx.getImageData(0, 0, this.canvas.width, this.canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 128) ink++;
    return ink / (data.length / 4);
  }

  toBlob() {
    return new Promise((resolve) => this.canvas.toBlob(resolve, "image/png"));
  }
}
