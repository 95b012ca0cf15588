// Pair this browser with a device (kiosk, lobby display, counter display): the token comes from
// the form or from the address's fragment (#token=..., never sent to the server in a URL), and
// is kept as an http-only cookie.
const config = JSON.parse(document.getElementById("pair-config").textContent);
const form = document.getElementById("pair-form");
const input = document.getElementById("token");
const error = document.getElementById("pair-error");

async function pair(token) {
  let res;
  try {
    res = await fetch("/api/v1/devices/pair", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-Requested-With": "antrean-pair" },
      body: JSON.stringify({ token, kind: config.kind }),
    });
  } catch {
    res = null;
  }
  if (res && res.ok) {
    window.location.replace(config.next);
    return;
  }
  const body = res ? await res.json().catch(() => null) : null;
  error.textContent =
    (body && body.messages && body.messages[config.lang]) || (body && body.message) ||
    config.text.offline;
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  pair(input.value.trim());
});

const fragment = new URLSearchParams(window.location.hash.slice(1));
if (fragment.get("token")) {
  history.replaceState(null, "", window.location.pathname);
  pair(fragment.get("token"));
}
