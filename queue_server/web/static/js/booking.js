// The visitor's booking pages: pick a service, a day and a free time, confirm the phone with
// the texted code (/janji/{office}); see, move or cancel a booking by its link (/b/{token}).
import { fill } from "/static/js/antrean-text.js";

const config = JSON.parse(document.getElementById("booking-config").textContent);
const T = config.text;
const lang = config.lang;
const $ = (id) => document.getElementById(id);

async function call(method, url, body) {
  try {
    const res = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", "Accept-Language": lang },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = res.status === 204 ? null : await res.json().catch(() => null);
    const message = data && data.messages ? data.messages[lang] ?? data.message : null;
    return { ok: res.ok, status: res.status, data, message: message || T.failed };
  } catch {
    return { ok: false, status: 0, data: null, message: T.failed };
  }
}

function checked(form, name) {
  const input = form.querySelector(`input[name="${name}"]:checked`);
  return input ? input.value : null;
}

/** Draw the free times of `service` on `day` as radio buttons in #slots. */
async function showSlots(form, service, day) {
  const box = $("slots");
  if (!service || !day) return;
  box.replaceChildren(Object.assign(document.createElement("p"), { className: "hint", textContent: T.loading }));
  const url = `/api/v1/offices/${encodeURIComponent(config.office)}/services/${encodeURIComponent(service)}/slots?day=${day}`;
  const res = await call("GET", url);
  if (!res.ok) {
    box.replaceChildren(Object.assign(document.createElement("p"), { className: "error", textContent: res.message }));
    return;
  }
  const open = res.data.filter((s) => s.free > 0);
  if (open.length === 0) {
    box.replaceChildren(Object.assign(document.createElement("p"), { className: "hint", textContent: T.no_slots }));
    return;
  }
  box.replaceChildren(
    ...res.data.map((slot) => {
      const label = document.createElement("label");
      label.className = "slot";
      const input = Object.assign(document.createElement("input"), {
        type: "radio", name: "slot", value: slot.start, disabled: slot.free <= 0,
      });
      const face = document.createElement("span");
      const small = document.createElement("small");
      small.textContent = slot.free > 0 ? fill(T.free, { n: slot.free }) : T.full;
      face.append(slot.start, small);
      label.append(input, face);
      return label;
    }),
  );
}

function watchChoices(form, service) {
  const refresh = () => showSlots(form, service() , checked(form, "day"));
  form.addEventListener("change", (e) => {
    if (e.target.name === "service" || e.target.name === "day") refresh();
  });
  refresh();
}

function askCode(token, phone) {
  const form = $("otp-form");
  form.hidden = false;
  if ($("otp-sent")) $("otp-sent").textContent = fill(T.sent, { phone });
  $("otp").focus();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const res = await call("POST", `/api/v1/bookings/${token}/confirm`, { code: $("otp").value });
    if (res.ok) {
      window.location.assign(`/b/${token}?lang=${lang}`);
    } else {
      $("otp-error").textContent = res.message;
      $("otp").focus();
    }
  });
}

// ---- /janji/{office}: book ----
const book = $("book-form");
if (book) {
  if (config.service) {
    const preset = book.querySelector(`input[name="service"][value="${config.service}"]`);
    if (preset) preset.checked = true;
  }
  watchChoices(book, () => checked(book, "service"));
  book.addEventListener("submit", async (e) => {
    e.preventDefault();
    const error = $("book-error");
    const slot = checked(book, "slot");
    if (!slot) {
      error.textContent = T.choose_slot;
      return;
    }
    const res = await call("POST", `/api/v1/offices/${encodeURIComponent(config.office)}/bookings`, {
      service: checked(book, "service"),
      day: checked(book, "day"),
      slot,
      phone: $("phone").value,
      consent: $("consent").checked,
      language: lang,
    });
    if (!res.ok) {
      error.textContent = res.message;
      return;
    }
    error.textContent = "";
    book.hidden = true;
    askCode(res.data.token, res.data.phone);
  });
}

// ---- /b/{token}: the visitor's own booking ----
if (config.token) {
  if ($("otp-form") && !book) askCode(config.token, "");
  const move = $("move-form");
  if (move) {
    let opened = false;
    $("move").addEventListener("toggle", () => {
      if (!opened) watchChoices(move, () => config.service);
      opened = true;
    });
    move.addEventListener("submit", async (e) => {
      e.preventDefault();
      const slot = checked(move, "slot");
      if (!slot) {
        $("move-error").textContent = T.choose_slot;
        return;
      }
      const res = await call("POST", `/api/v1/bookings/${config.token}/reschedule`, {
        day: checked(move, "day"),
        slot,
      });
      if (res.ok) window.location.reload();
      else $("move-error").textContent = res.message;
    });
  }
  $("cancel")?.addEventListener("click", async () => {
    if (!window.confirm(T.confirm_cancel)) return;
    const res = await call("DELETE", `/api/v1/bookings/${config.token}`);
    if (res.ok) window.location.reload();
    else $("error").textContent = res.message;
  });
}
