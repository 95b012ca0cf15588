// The counter (loket) screen: the visitor at this counter, this counter's lines, every action by
// button or keyboard shortcut, live. The server decides who is next: two officers pressing
// "Panggil berikutnya" at once get two different visitors.
import { LiveConnection, renderStatusBanner } from "/static/js/antrean-live.js";
import { fill } from "/static/js/antrean-text.js";
import { checkIn } from "/static/js/check-in.js";
import { bindShortcuts, get, post } from "/static/js/staff-api.js";

const config = JSON.parse(document.getElementById("counter-config").textContent);
const T = config.text;
const office = encodeURIComponent(config.office);
const api = `/api/v1/offices/${office}`;
const $ = (id) => document.getElementById(id);
const AT_COUNTER = ["called", "serving"];

let state = null;
let current = null; // the ticket at this counter (called or being served)
let checklistFor = null;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function minutesSince(iso) {
  return Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000));
}

function say(text) {
  $("message").textContent = text ?? "";
}

// ---- drawing ------------------------------------------------------------------------------
function me() {
  return (state?.counters ?? []).find((c) => c.number === config.counter);
}

function render() {
  const counter = me();
  const tickets = state?.tickets ?? [];
  current = tickets.find((t) => t.counter === config.counter && AT_COUNTER.includes(t.status)) ?? null;

  const badge = $("counter-state");
  const counterState = counter ? counter.state : "closed";
  badge.className = `badge ${counterState}`;
  badge.textContent = T[`state_${counterState}`];

  const service = current ? config.services[current.service] : null;
  $("current-number").textContent = current ? current.number : "—";
  $("current-info").textContent = current
    ? [service ? service.name : current.service, config.status[current.status],
       current.priority_group !== "none" ? config.priority[current.priority_group] : ""]
        .filter(Boolean).join(" · ")
    : "";
  renderChecklist(service);
  renderElapsed();

  const open = counterState === "open";
  enable("call-next", open);
  for (const action of ["recall", "finish", "no-show", "transfer", "hold", "reprint", "cancel"]) {
    enable(action, current !== null);
  }
  enable("start", current !== null && current.status === "called");
  enable("pause", open);
  enable("open", !open);
  enable("close", counterState !== "closed");

  renderLines(tickets, open);
  renderHeld(tickets);
}

function enable(action, on) {
  for (const button of document.querySelectorAll(`[data-action="${action}"]`)) button.disabled = !on;
}

function renderChecklist(service) {
  const id = current ? current.id : null;
  if (id === checklistFor) return; // keep the officer's ticks while the same visitor is here
  checklistFor = id;
  $("checklist").replaceChildren(
    ...(service && current ? service.documents : []).map((doc) => {
      const li = el("li");
      const label = el("label");
      const box = el("input");
      box.type = "checkbox";
      label.append(box, el("span", "", doc));
      li.append(label);
      return li;
    }),
  );
}

function renderElapsed() {
  const line = $("elapsed");
  if (!current) {
    line.textContent = "";
    line.className = "elapsed";
    return;
  }
  const service = config.services[current.service];
  const since = current.called_at ?? current.issued_at;
  const elapsed = minutesSince(since);
  const target = service ? service.target : 0;
  line.textContent = fill(T.elapsed, { elapsed: fill(T.minutes, { n: elapsed }), target });
  line.className = target && elapsed > target ? "elapsed over" : "elapsed";
}

function row(ticket, action) {
  const li = el("li");
  li.dataset.ticket = ticket.id;
  const meta = el("span", "meta");
  const waited = fill(T.minutes, { n: minutesSince(ticket.issued_at) });
  meta.append(`${waited} · ${config.channel[ticket.channel] ?? ticket.channel}`);
  if (ticket.priority_group !== "none") {
    meta.append(" · ", el("span", "prio", config.priority[ticket.priority_group]));
  }
  const control = config.controls.find((c) => c.action === action);
  const button = el("button", "", control.label);
  button.type = "button";
  button.dataset.action = action;
  button.dataset.token = ticket.token;
  li.append(el("span", "num", ticket.number), meta, button);
  return li;
}

function renderLines(tickets, open) {
  const waiting = (code) =>
    tickets
      .filter((t) => t.service === code && (t.status === "waiting" || t.status === "missed"))
      .sort((a, b) =>
        (a.priority_group === "none") - (b.priority_group === "none") ||
        Date.parse(a.issued_at) - Date.parse(b.issued_at));
  const blocks = config.serves.map((code) => {
    const service = config.services[code];
    const block = el("div", "service-line");
    const lines = waiting(code);
    block.append(el("h3", "", `${service.prefix} · ${service.name} (${lines.length})`));
    const list = el("ul", "rows");
    list.append(...lines.map((t) => row(t, "call-this")));
    block.append(list);
    return block;
  });
  $("lines").replaceChildren(...blocks);
  for (const button of $("lines").querySelectorAll("button")) button.disabled = !open;
}

function renderHeld(tickets) {
  const held = tickets.filter((t) => t.status === "on_hold" && (t.counter === config.counter || t.counter === null));
  $("held").replaceChildren(...held.map((t) => row(t, "resume")));
}

// ---- actions ------------------------------------------------------------------------------
async function act(url, body) {
  const result = await post(url, body, config.lang);
  if (!result.ok && result.status !== 204) say(result.message ?? T.failed);
  return result;
}

async function callNext() {
  const result = await act(`${api}/counters/${config.counter}/call-next`);
  if (result.status === 204) say(T.nobody);
  else if (result.ok) say(fill(T.called_now, { number: result.data.ticket.number }));
}

async function onCurrent(action, body) {
  if (!current) return;
  const result = await act(`${api}/tickets/${encodeURIComponent(current.token)}/${action}`, body);
  if (result.ok) {
    say("");
    if (action === "finish" || action === "no-show") refreshToday();
  }
}

async function openTransfer() {
  if (current) $("transfer-dialog").showModal();
}

async function openReprint() {
  if (!current) return;
  const printers = (await get(`${api}/printers`)) ?? [];
  $("reprint-printer").replaceChildren(
    ...printers.map((p) => {
      const option = el("option", "", p.name);
      option.value = String(p.id);
      return option;
    }),
  );
  $("reprint-dialog").showModal();
}

function openCancel() {
  if (!current) return;
  $("cancel-number").textContent = current.number;
  $("cancel-dialog").showModal();
}

async function refreshToday() {
  const today = await get(`${api}/counters/${config.counter}/today`);
  if (!today) return;
  $("served").textContent = fill(T.served, { n: today.served });
  $("average").textContent =
    today.average_minutes === null ? T.average_none : fill(T.average, { n: today.average_minutes });
}

const handlers = {
  "call-next": callNext,
  recall: () => onCurrent("recall"),
  start: () => onCurrent("start"),
  finish: () => onCurrent("finish"),
  "no-show": () => onCurrent("no-show"),
  hold: () => onCurrent("hold"),
  transfer: openTransfer,
  reprint: openReprint,
  cancel: openCancel,
  pause: () => act(`${api}/counters/${config.counter}/pause`),
  open: () => act(`${api}/counters/${config.counter}/open`),
  close: () => act(`${api}/counters/${config.counter}/close`),
};

document.addEventListener("click", async (e) => {
  const button = e.target.closest("button[data-action]");
  if (!button || button.disabled) return;
  const { action, token } = button.dataset;
  if (action === "call-this") {
    await act(`${api}/tickets/${encodeURIComponent(token)}/call`, { counter: config.counter });
  } else if (action === "resume") {
    await act(`${api}/tickets/${encodeURIComponent(token)}/resume`, { counter: config.counter });
  } else if (handlers[action]) {
    handlers[action]();
  }
});
for (const button of document.querySelectorAll("dialog [data-close]")) {
  button.addEventListener("click", () => button.closest("dialog").close());
}
$("transfer-go").addEventListener("click", async () => {
  $("transfer-dialog").close();
  await onCurrent("transfer", {
    service: $("transfer-service").value,
    to_front: $("transfer-front").checked,
  });
});
$("reprint-go").addEventListener("click", async () => {
  $("reprint-dialog").close();
  if (!current || !$("reprint-printer").value) return;
  const result = await act(`${api}/tickets/${encodeURIComponent(current.token)}/reprint`, {
    printer: Number($("reprint-printer").value),
  });
  if (result.ok) say(T.printed);
});
$("cancel-go").addEventListener("click", async () => {
  $("cancel-dialog").close();
  await onCurrent("cancel");
});

bindShortcuts(config.controls, handlers);
setInterval(() => {
  renderElapsed();
  if (state) renderLines(state.tickets ?? [], me()?.state === "open");
}, 30_000);
refreshToday();
// A kiosk's printer failed: say so on every counter until someone hides it (or 5 minutes).
const alertBox = $("printer-alert");
let alertTimer = null;
function showAlert(msg) {
  if (msg.alert !== "printer") return;
  const reason = T[`printer_${msg.reason}`] ?? T.printer_other;
  $("printer-alert-text").textContent = fill(T.printer_alert, { kiosk: msg.kiosk, reason });
  alertBox.hidden = false;
  clearTimeout(alertTimer);
  alertTimer = setTimeout(() => { alertBox.hidden = true; }, 5 * 60_000);
}
$("printer-alert-hide").textContent = T.hide;
$("printer-alert-hide").addEventListener("click", () => { alertBox.hidden = true; });

new LiveConnection({
  url: `/ws/v1/offices/${office}?role=counter`,
  onMessage: (msg) => {
    if (msg.type === "alert") showAlert(msg);
  },
  onState: (next) => {
    state = next;
    render();
  },
  onStatus: (status) => renderStatusBanner($("live-status"), status, T),
});

// A booked visitor shows their code at the counter: check them in here (the ticket joins the
// line at the booked time; the officer calls it like any other).
$("checkin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const input = $("checkin-code");
  const done = await checkIn(config, input.value, null);
  say(done.text);
  if (done.ok) input.value = "";
  else input.select();
});
