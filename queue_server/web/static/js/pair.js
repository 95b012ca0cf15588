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

// The code way: show a 6-digit code, wait for an admin to enter it, then carry on by itself.
const codeBox = document.getElementById("pair-code");
const headers = { "Content-Type": "application/json", "X-Requested-With": "antrean-pair" };

async function post(path, body) {
  try {
    return await fetch(path, {
      method: "POST", credentials: "same-origin", headers, body: JSON.stringify(body),
    });
  } catch {
    return null;
  }
}

async function showCode() {
  const res = await post("/api/v1/devices/pairing-codes", { kind: config.kind });
  if (!res || !res.ok) {
    codeBox.textContent = "······";
    setTimeout(showCode, 15000);
    return;
  }
  const { code, claim, expires_at: expires } = await res.json();
  codeBox.textContent = `${code.slice(0, 3)} ${code.slice(3)}`;
  const until = Date.parse(expires);
  async function wait() {
    if (Date.now() >= until) {
      showCode(); // expired: a fresh one
      return;
    }
    const answer = await post("/api/v1/devices/pairing-codes/collect", { claim });
    if (answer && answer.status === 200) {
      const { next } = await answer.json();
      window.location.replace(next);
      return;
    }
    if (answer && answer.status === 404) {
      showCode();
      return;
    }
    setTimeout(wait, 2000);
  }
  setTimeout(wait, 2000);
}

const fragment = new URLSearchParams(window.location.hash.slice(1));
if (fragment.get("token")) {
  history.replaceState(null, "", window.location.pathname);
  pair(fragment.get("token"));
} else {
  showCode();
}
