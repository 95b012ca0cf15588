// Take a number from home (/ambil/<office>): checks the form, takes the ticket through the
// ordinary API with an Idempotency-Key (a double tap or a retry after a lost answer gives the
// same ticket), then opens the ticket's own page /t/<token>. Texts come from #remote-config.

const config = JSON.parse(document.getElementById("remote-config").textContent);
const T = config.text;
const $ = (id) => document.getElementById(id);
const form = $("take-form");
const button = $("submit");

/** A fresh key for one attempt; kept across retries of that attempt, renewed after a refusal.
 * (crypto.randomUUID needs HTTPS; offices often serve on a plain LAN address.) */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

let key = newKey();
let busy = false;

function showError(text, field) {
  $("error").textContent = text;
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  if (field) {
    field.setAttribute("aria-invalid", "true");
    field.focus();
  }
}

function check() {
  const picked = form.querySelector('input[name="service"]:checked');
  if (!picked) {
    const first = form.querySelector('input[name="service"]:not(:disabled)');
    showError(T.pick_service, first);
    return null;
  }
  const phone = $("phone").value.trim();
  if (!phone) {
    showError(T.phone_missing, $("phone"));
    return null;
  }
  const body = {
    service: picked.value,
    phone,
    notify_consent: $("consent").checked,
    language: config.lang,
  };
  if (config.nik) {
    const nik = $("nik").value.replace(/\s+/g, "");
    if (!/^\d{16}$/.test(nik)) {
      showError(T.nik_invalid, $("nik"));
      return null;
    }
    body.nik = nik;
  }
  if (!body.notify_consent) {
    showError(T.consent_missing, $("consent"));
    return null;
  }
  return body;
}

const FIELDS = {
  invalid_phone: "phone",
  phone_required: "phone",
  phone_cap_reached: "phone",
  consent_required: "consent",
  nik_required: "nik",
};

async function take(event) {
  event.preventDefault();
  if (busy) return; // a double tap sends one request
  const body = check();
  if (!body) return;
  busy = true;
  button.disabled = true;
  showError("");
  $("error").textContent = T.sending;
  let response;
  try {
    response = await fetch(`/api/v1/offices/${encodeURIComponent(config.office)}/tickets`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
      body: JSON.stringify(body),
    });
  } catch {
    showError(T.offline); // the same key again: if it went through, the retry gets that ticket
    busy = false;
    button.disabled = false;
    return;
  }
  if (response.ok) {
    const ticket = await response.json();
    window.location.assign(`/t/${encodeURIComponent(ticket.token)}`);
    return;
  }
  let reply = {};
  try {
    reply = await response.json();
  } catch {
    reply = {};
  }
  const text = reply.messages?.[config.lang] ?? reply.message ?? T.failed;
  const field = FIELDS[reply.code] ? $(FIELDS[reply.code]) : null;
  showError(text, field);
  if (response.status !== 429 && response.status < 500) key = newKey(); // refused: nothing taken
  busy = false;
  button.disabled = false;
}

if (form && button) form.addEventListener("submit", take);
