// The lobby display: the latest call huge, a tile per counter, the last calls, waiting counts;
// chime + voice for each fresh call, in order, never overlapping, never replaying old calls.
import { LiveConnection, renderStatusBanner } from "/static/js/antrean-live.js";
import { disruptionText, fill } from "/static/js/antrean-text.js";

const config = JSON.parse(document.getElementById("display-config").textContent);
const T = config.text;
const office = encodeURIComponent(config.office);
const $ = (id) => document.getElementById(id);
const RECENT_SHOWN = 8;

// The server's clock, as well as this screen can know it: a call is "fresh" (worth flashing and
// announcing) only if it is recent by the server's clock, so calls that happened while the
// screen was offline are shown but never announced late.
let serverOffset = Date.parse(config.server_time) - Date.now();
const serverNow = () => Date.now() + serverOffset;
const isFresh = (call) => serverNow() - Date.parse(call.at) < config.fresh_seconds * 1000;

async function syncClock() {
  try {
    const sent = Date.now();
    const res = await fetch("/healthz", { cache: "no-store" });
    const date = Date.parse(res.headers.get("date") ?? "");
    if (!Number.isNaN(date)) serverOffset = date + 500 - (sent + Date.now()) / 2;
  } catch {
    /* keep the last offset */
  }
}

// ---- drawing ------------------------------------------------------------------------------
function counterName(counter) {
  return counter.name || fill(T.counter, { n: counter.number });
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

let countersByNumber = new Map();

// The ticker: every disruption's notice first, then the office's own running text.
function renderTicker(state) {
  const names = new Map((state.services ?? []).map((s) => [s.code, s.name[config.lang] ?? s.name.id]));
  const notices = (state.disruptions ?? []).map((d) => disruptionText(T, d, names.get(d.service)));
  const notice = $("ticker-notice");
  notice.textContent = notices.join("  ·  ");
  notice.hidden = notices.length === 0;
  $("ticker").hidden = notices.length === 0 && !$("ticker-text").textContent.trim();
}

function render(state) {
  renderTicker(state);
  countersByNumber = new Map((state.counters ?? []).map((c) => [c.number, c]));
  const calls = state.recent_calls ?? [];
  const latest = calls[0];
  $("latest-number").textContent = latest ? latest.number : "—";
  $("latest-counter").textContent = latest ? callCounter(latest) : "";

  $("recent").replaceChildren(
    ...calls.slice(1, RECENT_SHOWN + 1).map((call) => {
      const li = el("li");
      li.append(el("span", "number", call.number), el("span", "to", callCounter(call)));
      return li;
    }),
  );

  $("counters").replaceChildren(
    ...(state.counters ?? []).map((counter) => {
      const li = el("li", `tile ${counter.state}`);
      li.dataset.counter = String(counter.number);
      li.append(
        el("span", "name", counterName(counter)),
        el("span", "serving", counter.serving ? counter.serving.number : T.serving_none),
        el("span", "state", T[`state_${counter.state}`] ?? counter.state),
      );
      return li;
    }),
  );

  $("waiting").replaceChildren(
    ...(state.services ?? []).map((service) => {
      const li = el("li");
      li.append(
        el("span", "prefix", service.prefix),
        el("span", "name", `${service.name[config.lang] ?? service.name.id} `),
        el("span", "count", fill(T.waiting, { n: service.waiting })),
      );
      return li;
    }),
  );
}

function callCounter(call) {
  const counter = countersByNumber.get(call.counter);
  return counter ? counterName(counter) : fill(T.counter, { n: call.counter });
}

function flash(call) {
  const latest = $("latest");
  latest.classList.remove("flash");
  void latest.offsetWidth; // restart the animation
  latest.classList.add("flash");
  const tile = document.querySelector(`.tile[data-counter="${call.counter}"]`);
  if (tile) tile.classList.add("fresh");
}

// ---- sound: chime, then the voice; one call at a time ---------------------------------------
const pending = [];
let playing = false;
window.antreanDisplay = { played: [] }; // what was played, for tests and for a curious admin

function play(url) {
  return new Promise((resolve, reject) => {
    const audio = new Audio(url);
    audio.onended = () => resolve();
    audio.onerror = () => reject(new Error(`cannot play ${url}`));
    const started = audio.play();
    if (started) started.catch(reject);
    window.antreanDisplay.played.push(url);
  });
}

async function playPending() {
  if (playing) return;
  playing = true;
  while (pending.length > 0) {
    const call = pending[0];
    if (serverNow() - Date.parse(call.at) > 2 * config.fresh_seconds * 1000) {
      pending.shift(); // waited too long (sound was blocked): do not announce it late
      continue;
    }
    try {
      await play("/audio/chime.wav");
      await play(`/audio/offices/${office}/calls/${call.counter}/${encodeURIComponent(call.number)}.wav`);
      pending.shift();
    } catch (error) {
      if (error && error.name === "NotAllowedError") {
        $("unlock").hidden = false; // the browser wants a tap before it plays sound
        playing = false;
        return;
      }
      pending.shift(); // a clip that cannot play is skipped, not retried forever
    }
  }
  playing = false;
}

function announce(call) {
  pending.push(call);
  playPending();
}

// ---- clock ---------------------------------------------------------------------------------
const locale = config.lang === "en" ? "en-GB" : "id-ID";
const dateFormat = new Intl.DateTimeFormat(locale, {
  timeZone: config.timezone, weekday: "long", day: "numeric", month: "long", year: "numeric",
});
const timeFormat = new Intl.DateTimeFormat(locale, {
  timeZone: config.timezone, hour: "2-digit", minute: "2-digit", second: "2-digit",
});
function tick() {
  const now = new Date(serverNow());
  $("date").textContent = dateFormat.format(now);
  $("clock").textContent = timeFormat.format(now);
}

// ---- media: images in turn, videos muted to the end, then the next ----------------------------
function showMedia(index) {
  const items = config.media;
  const panel = $("media");
  if (!panel || items.length === 0) return;
  const item = items[index % items.length];
  const next = () => showMedia(index + 1);
  if (item.kind === "video") {
    const video = el("video");
    Object.assign(video, { src: item.url, muted: true, autoplay: true, playsInline: true });
    video.onended = next;
    video.onerror = () => setTimeout(next, 2000);
    if (items.length === 1) video.loop = true;
    panel.replaceChildren(video);
  } else {
    const image = el("img");
    image.src = item.url;
    image.alt = "";
    panel.replaceChildren(image);
    if (items.length > 1) setTimeout(next, config.media_seconds * 1000);
  }
}

// ---- wiring --------------------------------------------------------------------------------
$("unlock-text").textContent = T.sound_blocked;
$("unlock-button").addEventListener("click", () => {
  $("unlock").hidden = true;
  playPending();
});
tick();
setInterval(tick, 1000);
showMedia(0);
setInterval(syncClock, 10 * 60 * 1000);
new LiveConnection({
  url: config.live_url,
  onState: render,
  onEvent: (msg) => {
    if (msg.call && msg.event !== "hidden" && isFresh(msg.call)) {
      flash(msg.call);
      announce(msg.call);
    }
  },
  onUnauthorised: () => window.location.reload(), // revoked: back to pairing
  onStatus: (status) => {
    const badge = $("offline");
    renderStatusBanner(badge.querySelector("span"), status, { connecting: T.offline, reconnecting: T.offline });
    badge.hidden = status === "live";
  },
});
