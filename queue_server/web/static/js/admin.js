// Settings pages: every <form data-api> is sent as JSON to the API, errors are shown next to
// the fields the server names; the device page's health board refreshes itself.
//
// A form's fields are its elements with a `name` ("voice.style" nests), typed by `data-type`:
// text (default), text? (left out when empty), int, int? (empty is null), bool, lines (one item
// per line), dates (one YYYY-MM-DD per line), json. Widgets (`data-widget` with `data-name`):
// hours (a weekday table), schedules (date ranges, each with an hours table), order (services
// ticked and ranked). `data-after` says what follows success: reload (default), token, test,
// lookup, erase, paired.
import { fill } from "/static/js/antrean-text.js";
import { get, send } from "/static/js/staff-api.js";

const config = JSON.parse(document.getElementById("admin-config").textContent);
const T = config.text;
const lang = config.lang;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

class FieldError extends Error {
  constructor(element, message) {
    super(message);
    this.element = element;
  }
}

function time(input, optional = false) {
  const raw = input.value.trim();
  if (optional && raw === "") return null;
  if (!TIME.test(raw)) throw new FieldError(input, T.bad_time);
  return raw;
}

function breaks(input) {
  const raw = input.value.trim();
  if (raw === "") return [];
  return raw.split(",").map((part) => {
    const ends = part.split(/[-–]/).map((s) => s.trim());
    if (ends.length !== 2 || !ends.every((t) => TIME.test(t))) {
      throw new FieldError(input, T.bad_break);
    }
    return ends;
  });
}

function hoursValue(widget) {
  const own = widget.querySelector('[data-part="own"]');
  if (own && !own.checked) return null;
  const table = {};
  for (const row of widget.querySelectorAll("tr[data-day]")) {
    const part = (name) => row.querySelector(`[data-part="${name}"]`);
    if (!part("open").checked) continue;
    table[row.dataset.day] = {
      opens: time(part("opens")),
      closes: time(part("closes")),
      last_ticket: time(part("last"), true),
      breaks: breaks(part("breaks")),
    };
  }
  return table;
}

function schedulesValue(widget) {
  return [...widget.querySelectorAll("[data-schedule]")].map((box) => {
    const part = (name) => box.querySelector(`[data-part="${name}"]`);
    for (const name of ["start", "end"]) {
      if (!DATE.test(part(name).value)) throw new FieldError(part(name), T.bad_date);
    }
    return {
      name: part("name").value.trim(),
      start: part("start").value,
      end: part("end").value,
      hours: hoursValue(box.querySelector('[data-widget="hours"]')),
    };
  });
}

function orderValue(widget) {
  return [...widget.querySelectorAll('[data-part="on"]')]
    .map((box, index) => ({ box, index }))
    .filter(({ box }) => box.checked)
    .map(({ box, index }) => {
      const rank = box.closest("[data-service]").querySelector('[data-part="rank"]');
      return { code: box.value, rank: Number(rank.value || 99), index };
    })
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((s) => s.code);
}

const WIDGETS = { hours: hoursValue, schedules: schedulesValue, order: orderValue };

function fieldValue(el) {
  const type = el.dataset.type || "text";
  if (type === "bool") return el.checked;
  const raw = el.value.trim();
  switch (type) {
    case "text?":
      return raw === "" ? undefined : raw;
    case "int":
      return raw === "" ? undefined : Number(raw);
    case "int?":
      return raw === "" ? null : Number(raw);
    case "lines":
      return raw.split("\n").map((s) => s.trim()).filter(Boolean);
    case "dates":
      return raw.split("\n").map((s) => s.trim().split(/\s+/)[0]).filter(Boolean).map((d) => {
        if (!DATE.test(d)) throw new FieldError(el, T.bad_date);
        return d;
      });
    case "json":
      try {
        return raw === "" ? {} : JSON.parse(raw);
      } catch {
        throw new FieldError(el, T.bad_json);
      }
    default:
      return raw;
  }
}

function setPath(body, path, value) {
  if (value === undefined) return;
  const keys = path.split(".");
  let node = body;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key];
  }
  const last = keys[keys.length - 1];
  if (typeof value === "object" && value !== null && !Array.isArray(value) && node[last]) {
    node[last] = { ...value, ...node[last] };
  } else {
    node[last] = value;
  }
}

/** The JSON body a settings form describes. */
export function collect(form) {
  const body = {};
  for (const el of form.querySelectorAll("[name]")) {
    if (el.closest("[data-widget]") || el.disabled || el.type === "file") continue;
    if (el.type === "radio" && !el.checked) continue;
    setPath(body, el.name, fieldValue(el));
  }
  for (const widget of form.querySelectorAll("[data-widget]")) {
    if (widget.parentElement.closest("[data-widget]")) continue;
    setPath(body, widget.dataset.name, WIDGETS[widget.dataset.widget](widget));
  }
  return body;
}

function statusOf(form) {
  return form.querySelector("[data-status]");
}

function say(form, text, good) {
  const status = statusOf(form);
  if (!status) return;
  status.textContent = text;
  status.classList.toggle("error", !good);
  status.classList.toggle("ok", good);
}

function clearMarks(form) {
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

/** Mark the field a 422's details point at ("body", "voice", "template_id" -> voice.template_id). */
function markFields(form, details) {
  let marked = false;
  for (const detail of details || []) {
    const path = (detail.loc || []).filter((k) => k !== "body").map(String);
    for (let n = path.length; n > 0; n--) {
      const name = path.slice(0, n).join(".");
      const el = form.querySelector(`[name="${CSS.escape(name)}"], [data-name="${CSS.escape(name)}"]`);
      if (el) {
        el.setAttribute("aria-invalid", "true");
        marked = true;
        break;
      }
    }
  }
  return marked;
}

const AFTER = {
  reload: () => window.location.reload(),
  token: (form, data) => {
    const out = form.querySelector("[data-token]");
    out.hidden = false;
    out.textContent = fill(T.token_once, { token: data.token });
    say(form, T.saved, true);
  },
  test: (form, data) => {
    say(form, data.ok ? T.test_sent : fill(T.test_failed, { detail: data.detail }), data.ok);
  },
  paired: (form, data) => {
    say(form, fill(T.paired, { name: data.name }), true);
    form.reset();
    refreshBoard(true);
  },
};

async function submit(form) {
  clearMarks(form);
  let body;
  try {
    body = collect(form);
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    e.element.setAttribute("aria-invalid", "true");
    e.element.focus();
    say(form, e.message, false);
    return;
  }
  const button = form.querySelector('button[type="submit"]');
  if (button) button.disabled = true;
  const res = await send(form.dataset.method || "PATCH", form.dataset.api, body, lang);
  if (button) button.disabled = false;
  if (!res.ok) {
    const marked = markFields(form, res.data && res.data.details);
    say(form, res.message || (marked ? T.check_fields : T.failed), false);
    return;
  }
  (AFTER[form.dataset.after || "reload"] || AFTER.reload)(form, res.data);
}

for (const form of document.querySelectorAll("form[data-api]")) {
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit(form);
  });
}

// ---- schedules: add from the template, remove ----
document.addEventListener("click", (e) => {
  const add = e.target.closest("[data-add-schedule]");
  if (add) {
    const widget = add.closest("form").querySelector('[data-widget="schedules"]');
    const template = document.getElementById("schedule-template");
    widget.append(template.content.cloneNode(true));
    widget.lastElementChild.querySelector('[data-part="name"]').focus();
  }
  const remove = e.target.closest("[data-remove-schedule]");
  if (remove) remove.closest("[data-schedule]").remove();
});

// ---- buttons that act at once: delete, revoke, rename ----
document.addEventListener("click", async (e) => {
  const button = e.target.closest("[data-action]");
  if (!button) return;
  const { action, url, confirmText, name } = button.dataset;
  if (confirmText && !window.confirm(confirmText)) return;
  let res;
  if (action === "delete") {
    res = await send("DELETE", url, undefined, lang);
  } else if (action === "rename") {
    const input = document.getElementById(button.dataset.input);
    res = await send("PATCH", url, { [name || "name"]: input.value.trim() }, lang);
  } else {
    return;
  }
  const status = document.getElementById(button.dataset.status || "page-status");
  if (res.ok) {
    if (action === "rename" && button.closest("#board")) {
      status.textContent = T.saved;
      refreshBoard(true);
    } else {
      window.location.reload();
    }
  } else if (status) {
    status.textContent = res.message || T.failed;
    status.classList.add("error");
  }
});

// ---- the ticket preview and the logo ----
const preview = document.getElementById("ticket-preview");
function refreshPreview() {
  if (!preview) return;
  const paper = document.getElementById("preview-paper").value;
  preview.src = `${preview.dataset.src}?paper=${paper}&lang=${lang}&t=${Date.now()}`;
}
document.getElementById("preview-paper")?.addEventListener("change", refreshPreview);
refreshPreview();

const logoForm = document.getElementById("logo-form");
logoForm?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const file = logoForm.querySelector('input[type="file"]').files[0];
  if (!file) return;
  const res = await send("PUT", logoForm.dataset.upload, file, lang);
  say(logoForm, res.ok ? T.saved : res.message || T.failed, res.ok);
  if (res.ok) refreshPreview();
});

// ---- the voice test ----
const voiceTest = document.getElementById("voice-test");
voiceTest?.addEventListener("click", async () => {
  const number = document.getElementById("test-number").value.trim();
  const counter = document.getElementById("test-counter").value;
  const player = document.getElementById("voice-player");
  const query = new URLSearchParams({ number, counter, t: String(Date.now()) });
  const res = await fetch(`${voiceTest.dataset.url}?${query}`, { credentials: "same-origin" });
  const status = document.getElementById("voice-status");
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    status.textContent = (data && data.messages && data.messages[lang]) || T.failed;
    status.classList.add("error");
    return;
  }
  status.textContent = "";
  player.src = URL.createObjectURL(await res.blob());
  player.hidden = false;
  player.play().catch(() => {});
});

// ---- personal data: see and erase what the office holds on a phone number ----
function heldTable(title, rows, columns) {
  const table = document.createElement("table");
  table.className = "messages";
  const caption = table.createCaption();
  caption.textContent = `${title} (${rows.length})`;
  const head = table.createTHead().insertRow();
  for (const column of columns) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = T[`col_${column}`];
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const column of columns) tr.insertCell().textContent = row[column] ?? "—";
  }
  return table;
}

const lookup = document.getElementById("lookup-form");
lookup?.addEventListener("submit", async (e) => {
  e.preventDefault();
  const phone = document.getElementById("lookup-phone").value.trim();
  const url = `${lookup.dataset.url}?phone=${encodeURIComponent(phone)}`;
  const out = document.getElementById("held");
  const erase = document.getElementById("erase-button");
  out.replaceChildren();
  erase.hidden = true;
  const res = await send("GET", url, undefined, lang);
  if (!res.ok) {
    say(lookup, res.message || T.failed, false);
    return;
  }
  say(lookup, "", true);
  const rows = [...(res.data.tickets || []), ...(res.data.messages || []), ...(res.data.bookings || [])];
  if (rows.length === 0) {
    out.textContent = T.nothing_held;
    return;
  }
  out.append(
    heldTable(T.held_tickets, res.data.tickets, ["number", "service_date", "service", "status", "consent_at", "consent_text"]),
    heldTable(T.held_messages, res.data.messages, ["created_at", "kind", "status", "body"]),
    heldTable(T.held_bookings, res.data.bookings || [], ["code", "day", "slot", "service", "status", "consent_at"]),
  );
  erase.hidden = false;
  erase.dataset.url = url;
});
document.getElementById("erase-button")?.addEventListener("click", async (e) => {
  if (!window.confirm(T.confirm_erase)) return;
  const res = await send("DELETE", e.target.dataset.url, undefined, lang);
  const out = document.getElementById("held");
  out.textContent = res.ok ? fill(T.erased, res.data) : res.message || T.failed;
  e.target.hidden = true;
});

// ---- the device health board ----
const board = document.getElementById("board");

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function seen(at) {
  return at ? new Date(at).toLocaleString(lang === "en" ? "en-GB" : "id-ID") : T.never;
}

function boardRow(device) {
  const tr = document.createElement("tr");
  tr.dataset.device = device.id;
  tr.append(
    cell(config.kinds[device.kind] || device.kind),
    cell(device.counter ? `${device.name} · ${device.counter}` : device.name),
    cell(device.online ? T.online : T.offline, device.online ? "good" : "bad"),
    cell(seen(device.last_seen_at)),
  );
  const printer = device.printer;
  tr.append(
    printer
      ? cell(
          T[`printer_${printer.status}`] + (printer.error ? ` (${printer.error})` : ""),
          printer.status === "failing" ? "bad" : "",
        )
      : cell("—"),
  );
  const actions = document.createElement("td");
  const input = document.createElement("input");
  input.id = `rename-${device.id}`;
  input.value = device.name;
  input.setAttribute("aria-label", T.rename);
  const rename = document.createElement("button");
  rename.type = "button";
  rename.textContent = T.rename;
  Object.assign(rename.dataset, {
    action: "rename",
    url: `/api/v1/offices/${config.office}/devices/${device.id}`,
    input: input.id,
    status: "board-status",
  });
  const revoke = document.createElement("button");
  revoke.type = "button";
  revoke.className = "danger";
  revoke.textContent = T.revoke;
  Object.assign(revoke.dataset, {
    action: "delete",
    url: `/api/v1/offices/${config.office}/devices/${device.id}`,
    confirmText: fill(T.confirm_revoke, { name: device.name }),
    status: "board-status",
  });
  actions.className = "row-actions";
  actions.append(input, rename, revoke);
  tr.append(actions);
  return tr;
}

async function refreshBoard(force = false) {
  if (!board) return;
  const devices = await get(`/api/v1/offices/${config.office}/devices/health`);
  if (devices === null) return;
  const typing = document.activeElement && document.activeElement.tagName === "INPUT";
  if (!force && typing && board.contains(document.activeElement)) return; // not under typing
  board.querySelector("tbody").replaceChildren(...devices.map(boardRow));
}

if (board) {
  refreshBoard();
  setInterval(refreshBoard, 15000);
}

// ---- the new-device form: a counter screen needs its counter, a print agent its kiosk ----
const kind = document.getElementById("new-kind");
function showKindFields() {
  for (const el of document.querySelectorAll("[data-for-kind]")) {
    const on = el.dataset.forKind === kind.value;
    el.hidden = !on;
    for (const input of el.querySelectorAll("select, input")) input.disabled = !on;
  }
}
kind?.addEventListener("change", showKindFields);
if (kind) showKindFields();

// ---- admins: switch office ----
document.getElementById("office-switch")?.addEventListener("change", (e) => {
  const url = new URL(window.location.href);
  url.searchParams.set("office", e.target.value);
  window.location.assign(url.toString());
});
