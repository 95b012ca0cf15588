// The day's bookings for staff: by slot, with status, masked phone, the ticket once checked in,
// and a check-in for a visitor who shows their code. Refreshed every 30 s.
import { checkIn, loadPrinters } from "/static/js/check-in.js";
import { fill } from "/static/js/antrean-text.js";
import { get } from "/static/js/staff-api.js";

const config = JSON.parse(document.getElementById("bookings-config").textContent);
const T = config.text;
const office = encodeURIComponent(config.office);
const $ = (id) => document.getElementById(id);
let day = config.day;
let loading = 0; // bumps per load, so a slow answer for another day is dropped

const dayFormat = new Intl.DateTimeFormat(config.lang === "en" ? "en-GB" : "id-ID", {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
  timeZone: "UTC",
});

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text ?? "";
  if (className) td.className = className;
  return td;
}

function row(booking) {
  const tr = document.createElement("tr");
  tr.dataset.code = booking.code ?? "";
  tr.className = `booking-${booking.status}`;
  tr.append(
    cell(booking.slot, "slot"),
    cell(booking.code ?? "—", "code"),
    cell(booking.service_name[config.lang] || booking.service),
    cell(config.status[booking.status] ?? booking.status, "status"),
    cell(booking.phone ?? "—"),
  );
  const ticket = document.createElement("td");
  if (booking.ticket) {
    const link = document.createElement("a");
    link.href = booking.ticket;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = booking.ticket_number ?? booking.ticket;
    ticket.append(link);
  } else {
    ticket.textContent = "—";
  }
  const action = document.createElement("td");
  if (booking.status === "confirmed" && day === config.today) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "primary";
    button.dataset.checkIn = booking.code;
    button.textContent = T.check_in;
    button.setAttribute("aria-label", `${T.check_in} ${booking.code}`);
    action.append(button);
  }
  tr.append(ticket, action);
  return tr;
}

async function load() {
  const run = ++loading;
  const list = await get(`/api/v1/offices/${office}/bookings?day=${encodeURIComponent(day)}`);
  if (run !== loading || list === null) return; // another day asked for meanwhile, or offline
  $("bookings-rows").replaceChildren(...list.map(row));
  $("bookings-none").hidden = list.length > 0;
  const done = list.filter((b) => b.status === "checked_in").length;
  $("summary").textContent = fill(T.summary, { n: list.length, done });
}

function choose(value) {
  if (!value) return;
  day = value;
  $("day-input").value = value;
  $("day-title").textContent = dayFormat.format(new Date(`${value}T00:00:00Z`));
  for (const button of document.querySelectorAll("[data-day]")) {
    button.setAttribute("aria-pressed", String(button.dataset.day === value));
  }
  const url = new URL(window.location.href);
  url.searchParams.set("day", value);
  window.history.replaceState(null, "", url);
  $("bookings-result").textContent = "";
  load();
}

async function onCheckIn(button) {
  button.disabled = true;
  const result = await checkIn(config, button.dataset.checkIn, $("bookings-printer").value);
  $("bookings-result").textContent = result.text;
  $("bookings-result").classList.toggle("error", !result.ok);
  await load();
}

for (const button of document.querySelectorAll("[data-day]")) {
  button.addEventListener("click", () => choose(button.dataset.day));
}
$("day-input").addEventListener("change", () => choose($("day-input").value));
$("bookings-rows").addEventListener("click", (e) => {
  const button = e.target.closest("[data-check-in]");
  if (button) onCheckIn(button);
});
loadPrinters($("bookings-printer"), get, office);
choose(day);
setInterval(load, config.refresh_seconds * 1000);
