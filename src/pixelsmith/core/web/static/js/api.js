// A small fetch wrapper for the JSON API. Errors come back as ApiError with the server's
// {"error": {"code", "message", "details"}} message, or a network error with status 0.

export class ApiError extends Error {
  constructor(message, { status = 0, code = "network_error", details = {} } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

// `body` is sent as JSON, except FormData (file uploads), which goes as multipart.
export async function api(path, { method = "GET", body, signal } = {}) {
  const init = { method, headers: { Accept: "application/json" }, signal };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError("", { status: 0 });
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(error.message || `HTTP ${response.status}`, {
      status: response.status,
      code: error.code || "http_error",
      details: error.details || {},
    });
  }
  return data;
}

/** The WebSocket URL for a same-origin path. */
export function wsUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

/** A little element builder: h("span", {class: "x"}, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") el.className = value;
    else if (name === "text") el.textContent = value;
    else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
