// Staff check a booked visitor in by the code from their message (front desk, day's bookings);
// the ticket prints on the chosen printer, if any.
import { estimateText, fill } from "/static/js/antrean-text.js";
import { post } from "/static/js/staff-api.js";

/** The code in what was typed or scanned (a QR may hold a link ending in it). */
export function codeOf(text) {
  const last = text.trim().replace(/\/+$/, "").split("/").pop() || "";
  return last.replace(/\s+/g, "").toUpperCase();
}

/** "09:30" in the office's zone, as the booking's message writes it. */
export function clockTime(iso, timezone) {
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone: timezone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  return format.format(new Date(iso));
}

/** Check the booking with `code` in; returns {ok, text, ticket} with `text` in the page's words. */
export async function checkIn(config, code, printer) {
  const T = config.text;
  const office = encodeURIComponent(config.office);
  const url = `/api/v1/offices/${office}/bookings/check-in`;
  const res = await post(url, { code: codeOf(code), printer: printer || null }, config.lang);
  if (res.ok) {
    const ticket = res.data;
    const text =
      ticket.status === "on_hold" && ticket.due_at
        ? fill(T.checked_in_due, { number: ticket.number, time: clockTime(ticket.due_at, config.timezone) })
        : fill(T.taken, { number: ticket.number, estimate: estimateText(T, ticket.estimate_minutes) });
    return { ok: true, text, ticket };
  }
  const refused = res.data && res.data.code;
  if (refused === "booking_closed") return { ok: false, text: T.checkin_closed };
  if (refused === "slot_unavailable") return { ok: false, text: T.checkin_other_day }; // another day
  return { ok: false, text: res.message || T.failed };
}

/** Fill `select` with the office's printers (kiosks with a print agent), the first chosen. */
export async function loadPrinters(select, get, office) {
  const printers = (await get(`/api/v1/offices/${office}/printers`)) ?? [];
  for (const printer of printers) {
    const option = document.createElement("option");
    option.value = String(printer.id);
    option.textContent = printer.name;
    select.append(option);
  }
  if (printers.length > 0) select.value = String(printers[0].id);
}
