// The front desk: staff take a ticket for a visitor (service, priority lane, phone) and print it
// on a chosen printer. Enter submits; one idempotency key per visitor, reused by retries.
// A booked visitor is checked in by their code, printed on the same printer.
import { fill, estimateText } from "/static/js/antrean-text.js";
import { checkIn, loadPrinters } from "/static/js/check-in.js";
import { get } from "/static/js/staff-api.js";

const config = JSON.parse(document.getElementById("desk-config").textContent);
const T = config.text;
const office = encodeURIComponent(config.office);
const $ = (id) => document.getElementById(id);
let key = null;

function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function take() {
  $("desk-error").textContent = "";
  key = key ?? newKey();
  const phone = $("desk-phone").value.replace(/\D/g, "");
  const printer = $("desk-printer").value;
  let res = null;
  try {
    res = await fetch(`/api/v1/offices/${office}/tickets`, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-Requested-With": "antrean-staff",
        "Idempotency-Key": key,
        "Accept-Language": config.lang,
      },
      body: JSON.stringify({
        service: $("desk-service").value,
        priority_group: $("desk-priority").value,
        phone: phone || null,
        notify_consent: Boolean(phone) && $("desk-consent").checked,
        printer: printer ? Number(printer) : null,
      }),
    });
  } catch {
    res = null;
  }
  if (res && res.ok) {
    const ticket = await res.json();
    $("desk-result").textContent = fill(T.taken, {
      number: ticket.number,
      estimate: estimateText(T, ticket.estimate_minutes),
    });
    key = null; // the next visitor gets a new request
    $("desk-phone").value = "";
    $("desk-consent").checked = false;
    $("desk-priority").value = "none";
    return;
  }
  const body = res ? await res.json().catch(() => null) : null;
  $("desk-error").textContent =
    (body && body.messages && body.messages[config.lang]) || T.failed; // same key on retry
}

$("desk-form").addEventListener("submit", (e) => {
  e.preventDefault();
  take();
});
for (const id of ["desk-service", "desk-priority", "desk-phone", "desk-printer"]) {
  $(id).addEventListener("change", () => {
    key = null; // different data: a new request
  });
}

let checking = false;
$("checkin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (checking || !$("checkin-code").value.trim()) return;
  checking = true;
  $("checkin-error").textContent = "";
  $("checkin-result").textContent = "";
  const result = await checkIn(config, $("checkin-code").value, $("desk-printer").value);
  checking = false;
  if (result.ok) {
    $("checkin-result").textContent = result.text;
    $("checkin-code").value = "";
  } else {
    $("checkin-error").textContent = result.text;
    $("checkin-code").select();
  }
});

loadPrinters($("desk-printer"), get, office);
