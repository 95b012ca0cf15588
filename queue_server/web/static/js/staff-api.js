// Calls from staff pages: the session cookie plus the header that proves the page is ours.

/** Send `body` (JSON) to `url` with `method`; returns {ok, status, data, message}, where
 * `message` holds the server's error in `lang`. A File or Blob body is sent as it is. */
export async function send(method, url, body, lang) {
  const raw = body instanceof Blob;
  const headers = { "X-Requested-With": "antrean-staff", "Accept-Language": lang };
  if (body !== undefined) headers["Content-Type"] = raw ? body.type : "application/json";
  try {
    const res = await fetch(url, {
      method,
      credentials: "same-origin",
      headers,
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    const message = data && data.messages ? data.messages[lang] ?? data.message : null;
    return { ok: res.ok, status: res.status, data, message };
  } catch {
    return { ok: false, status: 0, data: null, message: null };
  }
}

/** POST `body` to `url`; returns {ok, status, data}; `data.message` holds the error in `lang`. */
export function post(url, body, lang) {
  return send("POST", url, body, lang);
}

export async function get(url) {
  try {
    const res = await fetch(url, { credentials: "same-origin", cache: "no-store" });
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

/** Run `handlers[action]` for a shortcut key, unless the officer is typing in a field. */
export function bindShortcuts(controls, handlers) {
  const byKey = new Map(controls.filter((c) => c.key).map((c) => [c.key.toLowerCase(), c.action]));
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const target = e.target;
    if (target && ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)) return;
    if (document.querySelector("dialog[open]")) return;
    const action = byKey.get(e.key.toLowerCase());
    if (action && handlers[action]) {
      e.preventDefault();
      handlers[action]();
    }
  });
}
