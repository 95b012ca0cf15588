// Calls from staff pages: the session cookie plus the header that proves the page is ours.

/** POST `body` to `url`; returns {ok, status, data}; `data.message` holds the error in `lang`. */
export async function post(url, body, lang) {
  try {
    const res = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-Requested-With": "antrean-staff",
        "Accept-Language": lang,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    const message = data && data.messages ? data.messages[lang] ?? data.message : null;
    return { ok: res.ok, status: res.status, data, message };
  } catch {
    return { ok: false, status: 0, data: null, message: null };
  }
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
