// Adds the session's CSRF token (<meta name="csrf-token">, present when logged in) as the
// X-CSRF-Token header to every same-origin POST, PUT, PATCH and DELETE made with fetch or
// XMLHttpRequest, so the pages' scripts work unchanged for a logged-in user. A classic script
// loaded before the modules, so it wraps fetch before any of them use it.
(() => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  const token = meta && meta.content;
  if (!token) return;
  const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
  const sameOrigin = (url) => {
    try {
      return new URL(url, location.href).origin === location.origin;
    } catch {
      return false;
    }
  };

  const originalFetch = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const request = input instanceof Request ? input : null;
    const method = String(init.method || (request && request.method) || "GET").toUpperCase();
    const url = request ? request.url : String(input);
    if (!UNSAFE.has(method) || !sameOrigin(url)) return originalFetch(input, init);
    const headers = new Headers(init.headers || (request && request.headers) || undefined);
    if (!headers.has("X-CSRF-Token")) headers.set("X-CSRF-Token", token);
    return originalFetch(input, { ...init, headers });
  };

  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this._csrf = UNSAFE.has(String(method).toUpperCase()) && sameOrigin(url);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (body) {
    if (this._csrf) this.setRequestHeader("X-CSRF-Token", token);
    return send.call(this, body);
  };
})();
