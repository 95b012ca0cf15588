// The kiosk's touch flow: start -> service (documents, priority lane, phone) -> ticket, or
// start -> check-in of a booking (code scanned or typed) -> ticket.
// Every text comes from the page (#kiosk-config, rendered through the server's catalog).
import { LiveConnection } from "/static/js/antrean-live.js";
import { aheadText, disruptionOf, disruptionText, estimateText, fill } from "/static/js/antrean-text.js";

const config = JSON.parse(document.getElementById("kiosk-config").textContent);
const T = config.text;
const office = encodeURIComponent(config.office);
const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const MAX_ATTEMPTS = 8; // ~25 s of retries before asking the visitor to try again

let screen = "start";
let flow = null; // {service, priority, phone, consent, nik, key}
let idleTimer = null;
let countdownTimer = null;
let printRun = 0; // bumps when a new result screen starts, to stop older polls
let checkinRun = 0; // bumps when a check-in starts or the visitor leaves, to drop stale answers
let disruptions = config.disruptions ?? []; // from the live snapshot: services down now
let callbackMode = config.callback_mode ?? "besides"; // leave a number besides or instead of a ticket

// ---- screens ----------------------------------------------------------------------------
function show(name) {
  screen = name;
  for (const section of document.querySelectorAll("main > .screen")) {
    section.hidden = section.id !== `screen-${name}`;
  }
  updateLanguageLink();
  armIdle();
  if (name === "checkin") $("checkin-code").focus(); // a scanner types into it
}

// Forget the visitor before: their request, print follow-up, countdown and dialogs.
function reset() {
  flow = null;
  padDigits = "";
  printAfterNik = false;
  printRun += 1;
  checkinRun += 1;
  $("checkin-code").value = "";
  $("checkin-error").textContent = "";
  clearInterval(countdownTimer);
  for (const dialog of document.querySelectorAll("dialog[open]")) dialog.close();
}

function goStart() {
  reset();
  show("start");
}

function chooseService(code) {
  const button = document.querySelector(`button.service[data-service="${CSS.escape(code)}"]`);
  if (!button || button.disabled) return;
  flow = { service: code, priority: "none", phone: "", consent: false, nik: "", key: null };
  $("service-prefix").textContent = button.querySelector(".prefix").textContent;
  $("service-name").textContent = button.querySelector(".name").textContent;
  for (const el of document.querySelectorAll("[data-standard]")) {
    el.hidden = el.dataset.standard !== code;
  }
  const none = document.querySelector('input[name="priority"][value="none"]');
  if (none) none.checked = true;
  renderPhone();
  renderNik();
  renderServiceNotice();
  show("service");
}

// ---- disruptions: the notice on the button, before printing, and a banner when all are down
function serviceName(code) {
  const button = document.querySelector(`button.service[data-service="${CSS.escape(code)}"]`);
  return button ? button.querySelector(".name").textContent : code;
}

function renderDisruptions() {
  const everything = disruptions.filter((d) => d.service === null);
  const banner = $("disrupted");
  banner.querySelector("span").textContent = everything.map((d) => disruptionText(T, d, "")).join(" ");
  banner.hidden = everything.length === 0;
  for (const notice of document.querySelectorAll("[data-notice]")) {
    const own = disruptions.find((d) => d.service === notice.dataset.notice);
    notice.hidden = !own;
    notice.textContent = own ? disruptionText(T, own, serviceName(own.service)) : "";
  }
  if (screen === "service") renderServiceNotice();
}

function renderServiceNotice() {
  const down = flow ? disruptionOf(disruptions, flow.service) : null;
  $("service-notice").hidden = !down;
  $("service-notice-text").textContent = down ? disruptionText(T, down, serviceName(flow.service)) : "";
  const instead = Boolean(down) && callbackMode === "instead";
  $("print").hidden = instead; // the office gives no ticket for it now: only the callback
  document.querySelector("#screen-service .choices").hidden = instead;
}

function maskedPhone(digits) {
  return digits.length > 8 ? `${digits.slice(0, 4)} •••• ${digits.slice(-4)}` : digits;
}

let callbackBusy = false;
async function sendCallback(digits) {
  if (callbackBusy || !flow) return;
  callbackBusy = true;
  const request = flow;
  $("pad-save").disabled = true;
  $("pad-error").textContent = T.callback_sending;
  let res = null;
  try {
    res = await fetch(`/api/v1/offices/${office}/disruptions/callbacks`, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-Requested-With": "antrean-kiosk",
        "Accept-Language": config.lang,
      },
      body: JSON.stringify({ service: request.service, phone: digits, consent: true, language: config.lang }),
    });
  } catch {
    res = null;
  }
  callbackBusy = false;
  $("pad-save").disabled = false;
  if (flow !== request) return; // the visitor left meanwhile
  if (res && res.ok) {
    padDigits = "";
    $("phone-pad").close();
    $("callback-done").textContent = fill(T.callback_done, {
      phone: maskedPhone(digits),
      service: serviceName(request.service),
    });
    show("callback");
    countdown(config.result_seconds, "callback-countdown");
    return;
  }
  const body = res ? await res.json().catch(() => null) : null;
  if (body && body.code === "not_disrupted") {
    $("pad-error").textContent = T.callback_back;
    refreshMenu();
  } else {
    $("pad-error").textContent = res ? errorText(body) : T.gave_up;
  }
}

// ---- the language button keeps the chosen service; it only navigates when the server answers
function updateLanguageLink() {
  const link = $("lang-switch");
  const base = link.dataset.base;
  if (flow && screen === "service") link.href = `${base}&service=${encodeURIComponent(flow.service)}`;
  else if (screen === "checkin") link.href = `${base}&checkin=1`;
  else link.href = base;
}

async function serverUp() {
  try {
    const res = await fetch("/healthz", { cache: "no-store" });
    return res.ok;
  } catch {
    return false;
  }
}

async function navigate(url) {
  if (await serverUp()) {
    window.location.assign(url);
  } else {
    showOffline(true);
  }
}

// ---- idle: back to the start (and to Indonesian) when nobody touches the screen ----------
function armIdle() {
  clearTimeout(idleTimer);
  if (screen === "result" || screen === "sending" || screen === "callback") return; // timed
  if (screen === "start" && config.lang === "id") return;
  idleTimer = setTimeout(() => {
    if (screen === "start") navigate("/kiosk");
    else goStart();
  }, config.idle_seconds * 1000);
}

// ---- number pad: a phone number (optional) or the NIK (where the office caps per person) --
function renderPhone() {
  $("phone-shown").textContent = flow && flow.phone ? `${flow.phone}` : "";
}

function renderNik() {
  const shown = $("nik-shown");
  if (shown) shown.textContent = flow && flow.nik ? fill(T.nik_shown, { last: flow.nik.slice(-4) }) : "";
}

function groupDigits(digits) {
  return digits.replace(/(\d{4})(?=\d)/g, "$1 ");
}

function phoneLooksValid(digits) {
  // Indonesian mobile numbers: 08xx (10-13 digits) or 628xx; the server checks properly.
  return /^(08\d{8,11}|628\d{8,11})$/.test(digits);
}

function nikLooksValid(digits) {
  return /^[1-9]\d{15}$/.test(digits); // 16 digits; the first two are the province code
}

let padMode = "phone";
let padDigits = "";
let printAfterNik = false;
function openPad(mode) {
  padMode = mode;
  const nik = mode === "nik";
  const callback = mode === "callback";
  $("pad-title").textContent = nik ? T.nik_title : callback ? T.callback_title : T.phone_title;
  $("pad-hint").textContent = nik
    ? fill(T.nik_hint, { cap: config.nik_cap })
    : callback
      ? fill(T.callback_hint, { service: serviceName(flow.service) })
      : T.phone_hint;
  $("consent-text").textContent = callback ? config.consent.callback : config.consent.ticket;
  $("consent-row").hidden = nik;
  $("pad-display").classList.toggle("nik", nik);
  padDigits = nik ? flow.nik : callback ? "" : flow.phone.replace(/\D/g, "");
  $("consent").checked = callback ? false : flow.consent;
  $("pad-error").textContent = "";
  renderPad();
  $("phone-pad").showModal();
}

function renderPad() {
  if (padMode === "nik") {
    // Only the last four digits typed are readable: the lobby can see the screen.
    const masked = "•".repeat(Math.max(0, padDigits.length - 4)) + padDigits.slice(-4);
    $("pad-display").textContent = masked.replace(/(.{4})(?=.)/g, "$1 ") || "…";
  } else {
    $("pad-display").textContent = groupDigits(padDigits) || "08…";
  }
}

function padKey(key) {
  const limit = padMode === "nik" ? 16 : 14;
  if (key === "back") padDigits = padDigits.slice(0, -1);
  else if (key === "clear") padDigits = "";
  else if (padDigits.length < limit) padDigits += key;
  $("pad-error").textContent = "";
  renderPad();
}

function savePad() {
  if (padMode === "callback") {
    if (padDigits === "") $("pad-error").textContent = T.callback_empty;
    else if (!phoneLooksValid(padDigits)) $("pad-error").textContent = T.phone_invalid;
    else if (!$("consent").checked) $("pad-error").textContent = T.callback_consent;
    else sendCallback(padDigits);
    return;
  }
  if (padMode === "nik") {
    if (!nikLooksValid(padDigits)) {
      $("pad-error").textContent = T.nik_invalid;
      return;
    }
    if (flow.nik !== padDigits) flow.key = null; // different data: a new request
    flow.nik = padDigits;
    padDigits = "";
    renderNik();
    $("phone-pad").close();
    if (printAfterNik) {
      printAfterNik = false;
      submit();
    }
    return;
  }
  const consent = $("consent").checked;
  if (padDigits === "") {
    flow.phone = "";
    flow.consent = false;
  } else if (!phoneLooksValid(padDigits)) {
    $("pad-error").textContent = T.phone_invalid;
    return;
  } else if (!consent) {
    $("pad-error").textContent = T.phone_consent;
    return;
  } else {
    flow.phone = groupDigits(padDigits);
    flow.consent = true;
  }
  flow.key = null; // different data: a new request
  renderPhone();
  $("phone-pad").close();
}

// ---- taking the ticket: one idempotency key per visitor, reused by every retry ------------
function newKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes); // works on plain http on the office LAN, unlike randomUUID
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function errorText(body) {
  if (body && body.messages && body.messages[config.lang]) return body.messages[config.lang];
  if (body && body.message) return body.message;
  return T.gave_up;
}

async function submit() {
  if (!flow) return;
  if (config.nik_cap && !flow.nik) {
    printAfterNik = true; // ask for the NIK, then print
    openPad("nik");
    return;
  }
  const checked = document.querySelector('input[name="priority"]:checked');
  const priority = checked ? checked.value : "none";
  if (priority !== flow.priority) flow.key = null;
  flow.priority = priority;
  flow.key = flow.key || newKey();
  const request = flow;
  $("sending-text").textContent = T.sending;
  show("sending");
  for (let attempt = 1; ; attempt += 1) {
    let res = null;
    try {
      res = await fetch(`/api/v1/offices/${office}/tickets`, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "X-Requested-With": "antrean-kiosk",
          "Idempotency-Key": request.key,
          "Accept-Language": config.lang,
        },
        body: JSON.stringify({
          service: request.service,
          priority_group: request.priority,
          language: config.lang,
          phone: request.phone ? request.phone.replace(/\D/g, "") : null,
          notify_consent: Boolean(request.phone) && request.consent,
          nik: request.nik || null,
        }),
      });
    } catch {
      res = null; // the server is unreachable: retry with the same key
    }
    if (flow !== request) return; // the visitor left meanwhile
    if (res && res.ok) {
      showResult(await res.json());
      return;
    }
    if (res && res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      const body = await res.json().catch(() => null);
      showError(errorText(body), false);
      refreshMenu();
      return;
    }
    if (attempt >= MAX_ATTEMPTS) {
      showError(T.gave_up, true);
      return;
    }
    $("sending-text").textContent = fill(T.retrying, { n: attempt });
    await sleep(Math.min(1000 * 2 ** (attempt - 1), 4000));
    if (flow !== request) return;
  }
}

// ---- check-in of a booking: the code from the visitor's message, scanned or typed ----------
function openCheckin() {
  reset();
  show("checkin");
}

function codeOf(text) {
  // A QR may hold a link ending in the code; the server strips it too.
  const last = text.trim().replace(/\/+$/, "").split("/").pop() || "";
  return last.replace(/\s+/g, "").toUpperCase();
}

function codeKey(key) {
  const input = $("checkin-code");
  const all = input.value !== "" && input.selectionStart === 0 && input.selectionEnd === input.value.length;
  if (key === "clear") input.value = "";
  else if (key === "back") input.value = all ? "" : input.value.slice(0, -1);
  else if (all) input.value = key; // the code refused is selected: typing starts afresh
  else if (input.value.length < config.code_length) input.value += key;
  $("checkin-error").textContent = "";
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
}

function checkinRefusal(body) {
  const code = body && body.code;
  if (code === "booking_closed") return T.checkin_closed;
  if (code === "slot_unavailable") return T.checkin_other_day; // booked for another day
  return errorText(body);
}

function backToCheckin(code, text) {
  show("checkin");
  const input = $("checkin-code");
  input.value = code;
  input.select(); // a new scan, or a key, replaces it
  $("checkin-error").textContent = text;
}

async function checkIn() {
  if (screen !== "checkin") return;
  const code = codeOf($("checkin-code").value);
  if (code.length !== config.code_length) {
    $("checkin-error").textContent = fill(T.code_length, { n: config.code_length });
    $("checkin-code").focus();
    return;
  }
  const run = ++checkinRun;
  $("sending-text").textContent = T.checking;
  show("sending");
  for (let attempt = 1; ; attempt += 1) {
    let res = null;
    try {
      res = await fetch(`/api/v1/offices/${office}/bookings/check-in`, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "X-Requested-With": "antrean-kiosk",
          "Accept-Language": config.lang,
        },
        body: JSON.stringify({ code }),
      });
    } catch {
      res = null; // unreachable: try again (a check-in that did arrive answers "already used")
    }
    if (run !== checkinRun) return; // the visitor left meanwhile
    if (res && res.ok) {
      showResult(await res.json());
      return;
    }
    if (res && res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      const body = await res.json().catch(() => null);
      if (run === checkinRun) backToCheckin(code, checkinRefusal(body));
      return;
    }
    if (attempt >= MAX_ATTEMPTS) {
      backToCheckin(code, T.gave_up);
      return;
    }
    $("sending-text").textContent = fill(T.retrying, { n: attempt });
    await sleep(Math.min(1000 * 2 ** (attempt - 1), 4000));
    if (run !== checkinRun) return;
  }
}

// A scan needs no tap first: on the start screen (or the last visitor's ticket or refusal) the
// first character opens the check-in and lands in its field (focus moves before the key does).
const SCAN_OPENS_CHECKIN = new Set(["start", "result", "error"]);
function catchScan(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || document.querySelector("dialog[open]")) return;
  const printable = e.key.length === 1 && e.key !== " ";
  if (SCAN_OPENS_CHECKIN.has(screen) && printable && !$("checkin-open").hidden) {
    openCheckin();
  } else if (screen === "checkin" && document.activeElement !== $("checkin-code")) {
    if (e.key === "Enter") {
      e.preventDefault();
      checkIn();
    } else if (printable) {
      $("checkin-code").focus();
    }
  }
}

function showBookings(offered) {
  for (const el of document.querySelectorAll("[data-bookings]")) el.hidden = !offered;
}

function showError(text, canRetry) {
  $("error-text").textContent = text;
  $("retry").hidden = !canRetry;
  show("error");
}

// ---- the result: number, place in line, QR, and whether the printer printed it -------------
function showResult(ticket) {
  const lang = config.lang;
  $("result-number").textContent = ticket.number;
  $("result-service").textContent = ticket.service_name ? ticket.service_name[lang] : ticket.service;
  $("result-ahead").textContent = aheadText(T, ticket.ahead);
  $("result-estimate").textContent = estimateText(T, ticket.estimate_minutes);
  // A booked visitor early for the slot: on hold until then, when the place in line counts.
  const later = ticket.status === "on_hold" && Boolean(ticket.due_at);
  $("result-due").hidden = !later;
  $("result-due").textContent = later ? fill(T.due, { time: timeFormat.format(new Date(ticket.due_at)) }) : "";
  $("result-ahead").hidden = later;
  $("result-estimate").hidden = later;
  $("result-qr").src = `/t/${encodeURIComponent(ticket.token)}/qr.svg`;
  const status = $("print-status");
  status.className = "print-status";
  status.textContent = T.printing;
  show("result");
  countdown(config.result_seconds);
  followPrint(ticket.token, ++printRun);
}

function countdown(seconds, where = "countdown") {
  clearInterval(countdownTimer);
  let left = seconds;
  const tick = () => {
    $(where).textContent = fill(T.back_in, { s: left });
    if (left <= 0) goStart();
    left -= 1;
  };
  tick();
  countdownTimer = setInterval(tick, 1000);
}

async function printState(token, giveUp) {
  const url = `/api/v1/offices/${office}/tickets/${encodeURIComponent(token)}/print`;
  try {
    const res = await fetch(giveUp ? `${url}/give-up` : url, {
      method: giveUp ? "POST" : "GET",
      credentials: "same-origin",
      headers: { "X-Requested-With": "antrean-kiosk" },
      cache: "no-store",
    });
    return res.ok ? (await res.json()).status : "unknown";
  } catch {
    return "unknown";
  }
}

async function followPrint(token, run) {
  const deadline = Date.now() + config.print_wait_seconds * 1000;
  let state = "pending";
  while (run === printRun && Date.now() < deadline) {
    state = await printState(token, false);
    if (state === "printed" || state === "failed" || state === "none") break;
    await sleep(400);
  }
  if (run !== printRun) return;
  if (state !== "printed" && state !== "failed" && state !== "none") {
    state = await printState(token, true); // stop waiting: it must not print later by surprise
  }
  if (run !== printRun) return;
  const status = $("print-status");
  if (state === "printed") {
    status.textContent = T.printed;
  } else {
    status.className = "print-status failed";
    status.textContent = T.print_failed;
    countdown(config.failed_seconds); // keep the number on screen longer
  }
}

// ---- the start screen stays current: live waiting counts, availability refreshed ----------
function renderWaiting(code, count) {
  const el = document.querySelector(`[data-waiting="${CSS.escape(code)}"]`);
  if (!el) return;
  el.dataset.count = String(count);
  el.textContent = count > 0 ? fill(T.waiting, { n: count }) : T.waiting_none;
}

function applyMenu(services) {
  const shown = new Set(Array.from(document.querySelectorAll("button.service"), (b) => b.dataset.service));
  const now = new Set(services.map((s) => s.code));
  const same = shown.size === now.size && [...now].every((code) => shown.has(code));
  if (!same) {
    if (screen === "start") navigate(window.location.pathname + window.location.search);
    return;
  }
  for (const s of services) {
    const button = document.querySelector(`button.service[data-service="${CSS.escape(s.code)}"]`);
    const reason = document.querySelector(`[data-reason="${CSS.escape(s.code)}"]`);
    // a disrupted service stays open to touch: it shows the notice and the callback list
    const refused = Boolean(s.refusal) && s.refusal.code !== "service_disrupted";
    button.disabled = refused;
    reason.hidden = !refused;
    reason.textContent = s.refusal ? s.refusal.text[config.lang] : "";
    renderWaiting(s.code, s.waiting);
  }
}

async function refreshMenu() {
  try {
    const res = await fetch(`/api/v1/offices/${office}/kiosk/services`, {
      credentials: "same-origin",
      cache: "no-store",
    });
    if (res.ok) {
      const body = await res.json();
      applyMenu(body.services);
      showBookings(Boolean(body.bookings));
    }
  } catch {
    /* the live connection shows the offline banner */
  }
}

let offlineSince = null;
function showOffline(down) {
  const banner = $("offline");
  banner.querySelector("span").textContent = T.offline;
  banner.hidden = !down;
}

function onStatus(status) {
  if (status === "live") {
    offlineSince = null;
    showOffline(false);
    return;
  }
  offlineSince = offlineSince ?? Date.now();
  const since = offlineSince;
  setTimeout(() => {
    if (offlineSince === since) showOffline(true); // not back within 3 s: say so
  }, 3000);
}

// ---- clock ---------------------------------------------------------------------------------
const clockFormat = new Intl.DateTimeFormat(config.lang === "en" ? "en-GB" : "id-ID", {
  timeZone: config.timezone,
  weekday: "long",
  day: "numeric",
  month: "long",
  hour: "2-digit",
  minute: "2-digit",
});
const timeFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: config.timezone,
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
}); // 09:30, as the booking's message writes it
function tickClock() {
  $("clock").textContent = clockFormat.format(new Date());
}

// ---- wiring --------------------------------------------------------------------------------
function start() {
  for (const el of document.querySelectorAll("[data-waiting]")) {
    renderWaiting(el.dataset.waiting, Number(el.dataset.count));
  }
  document.querySelector(".services").addEventListener("click", (e) => {
    const button = e.target.closest("button.service");
    if (button) chooseService(button.dataset.service);
  });
  document.addEventListener("click", (e) => {
    const target = e.target.closest("[data-action]");
    if (target && target.dataset.action === "start") goStart();
  });
  $("print").addEventListener("click", submit);
  $("checkin-open").addEventListener("click", openCheckin);
  $("checkin-form").addEventListener("submit", (e) => {
    e.preventDefault();
    checkIn();
  });
  $("checkin-code").addEventListener("input", () => {
    $("checkin-error").textContent = "";
  });
  document.querySelector(".code-keys").addEventListener("click", (e) => {
    const key = e.target.closest("[data-code-key]");
    if (key) codeKey(key.dataset.codeKey);
  });
  document.addEventListener("keydown", catchScan, true);
  $("retry").addEventListener("click", submit);
  $("phone-open").addEventListener("click", () => openPad("phone"));
  $("callback-open").addEventListener("click", () => openPad("callback"));
  if ($("nik-open")) $("nik-open").addEventListener("click", () => openPad("nik"));
  $("pad-cancel").addEventListener("click", () => {
    printAfterNik = false;
    $("phone-pad").close();
  });
  $("pad-save").addEventListener("click", savePad);
  $("consent").addEventListener("change", () => {
    $("pad-error").textContent = "";
  });
  document.querySelector(".keypad").addEventListener("click", (e) => {
    const key = e.target.closest("[data-key]");
    if (key) padKey(key.dataset.key);
  });
  $("help-open").addEventListener("click", () => $("help").showModal());
  $("help-close").addEventListener("click", () => $("help").close());
  $("lang-switch").addEventListener("click", (e) => {
    e.preventDefault();
    navigate($("lang-switch").href);
  });
  for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, armIdle, true);
  // kiosk mode: no context menu, no text selection, no dragging images out
  document.addEventListener("contextmenu", (e) => e.preventDefault());
  document.addEventListener("dragstart", (e) => e.preventDefault());

  renderDisruptions();
  tickClock();
  setInterval(tickClock, 10_000);
  setInterval(refreshMenu, config.refresh_seconds * 1000);
  new LiveConnection({
    url: `/ws/v1/offices/${office}?role=kiosk`,
    onState: (state) => {
      for (const s of state.services ?? []) renderWaiting(s.code, s.waiting);
      const now = state.disruptions ?? [];
      const mode = state.disruption_callback ?? "besides";
      if (JSON.stringify(now) !== JSON.stringify(disruptions) || mode !== callbackMode) {
        disruptions = now;
        callbackMode = mode;
        renderDisruptions();
        refreshMenu(); // which services give tickets may have changed with it
      }
    },
    onUnauthorised: () => window.location.reload(), // revoked: back to pairing
    onStatus,
  });
  if (config.checkin) openCheckin();
  else if (config.service) chooseService(config.service);
  else show("start");
}

start();
