// antrean-live.js: the live-update client every screen shares (lobby display, kiosk, counter
// screen, a visitor's phone). It follows one office over one websocket as docs/realtime.md
// describes: a snapshot, then versioned events; a gap asks for a resync; ping/pong heartbeats;
// reconnects with backoff and full jitter (capped at 2 s) passing `since=VERSION`.
//
// Plain ES module, no dependencies, no build step. Importing it touches no browser globals, so
// node can import it too (tests/realtime/js/).
//
//   import { LiveConnection, renderStatusBanner } from "/static/js/antrean-live.js";
//   const banner = document.getElementById("status");
//   const live = new LiveConnection({
//     url: "/ws/v1/offices/kcp-depok?role=display&token=...",
//     onState: (state) => render(state),
//     onStatus: (status) => renderStatusBanner(banner, status, texts),
//     onEvent: (msg) => { if (msg.call) chime(); },
//   });
//   // live.close() stops for good.

// This module holds no user-facing text: a page passes the banner's words, rendered by the
// server from its translation catalog, to renderStatusBanner.

// recent_calls keeps this many calls, newest first.
/** The close code of a refused or revoked credential. */
export const UNAUTHORISED = 4401;
export const RECENT_CALLS = 10;

// A ticket in one of these statuses has left the queue: counter screens drop it from `tickets`.
export const ENDED_STATUSES = Object.freeze(["done", "no_show", "cancelled", "expired"]);

export const PING_INTERVAL_MS = 20_000;
export const SILENCE_TIMEOUT_MS = 60_000;
export const BACKOFF_BASE_MS = 250;
export const BACKOFF_CAP_MS = 2_000;

// ---------------------------------------------------------------------------------------------
// Keeping a screen right (pure)

/**
 * Apply one server message to a screen's state. Pure: the input is never modified.
 *
 * `state` is the last snapshot with every event since applied (`version`, `office`,
 * `services`, `counters`, `recent_calls`, plus `tickets` on counter screens or `ticket` on a
 * visitor's page), or null before the first snapshot. The state never carries `type`.
 *
 * Returns `{state, gap}`. `gap` is true when an event's version is not exactly
 * `state.version + 1` (something was lost, or it is a duplicate/old event): the state is then
 * returned unchanged and the caller should ask for a resync. Messages other than `snapshot`
 * and `event` (ping, pong, unknown) leave the state as it is.
 */
export function applyMessage(state, msg) {
  if (msg === null || typeof msg !== "object") return { state, gap: false };
  if (msg.type === "snapshot") {
    const { type: _type, ...snapshot } = msg;
    return { state: snapshot, gap: false };
  }
  if (msg.type !== "event") return { state, gap: false };
  if (state === null || state === undefined || msg.version !== state.version + 1) {
    return { state, gap: true };
  }

  const next = { ...state, version: msg.version };
  if (Array.isArray(msg.services) && msg.services.length > 0) {
    next.services = withWaiting(state.services ?? [], msg.services);
  }
  if (Array.isArray(msg.counters) && msg.counters.length > 0) {
    next.counters = withCounters(state.counters ?? [], msg.counters);
  }
  const hidden = msg.event === "hidden";
  if (!hidden && msg.call) {
    next.recent_calls = [msg.call, ...(state.recent_calls ?? [])].slice(0, RECENT_CALLS);
  }
  if (msg.ticket) {
    if (Array.isArray(state.tickets)) {
      // Counter screens: the ticket that changed. A hidden event shows nothing of a ticket.
      if (!hidden) next.tickets = withTicket(state.tickets, msg.ticket);
    } else if ("ticket" in state) {
      // A visitor's page: always the visitor's own ticket (new `ahead`, `estimate_minutes`).
      next.ticket = msg.ticket;
    }
  }
  return { state: next, gap: false };
}

function withWaiting(services, changes) {
  const waiting = new Map(changes.map((s) => [s.code, s.waiting]));
  return services.map((s) => (waiting.has(s.code) ? { ...s, waiting: waiting.get(s.code) } : s));
}

function withCounters(counters, changes) {
  const byNumber = new Map(changes.map((c) => [c.number, c]));
  const result = counters.map((c) => (byNumber.has(c.number) ? byNumber.get(c.number) : c));
  const known = new Set(counters.map((c) => c.number));
  const added = changes.filter((c) => !known.has(c.number));
  if (added.length === 0) return result;
  // A counter the screen has not seen yet: keep the snapshot's order (by number).
  return [...result, ...added].sort((a, b) => a.number - b.number);
}

function withTicket(tickets, ticket) {
  const rest = tickets.filter((t) => t.id !== ticket.id);
  if (ENDED_STATUSES.includes(ticket.status)) return rest;
  const at = tickets.findIndex((t) => t.id === ticket.id);
  if (at === -1) return [...tickets, ticket];
  return tickets.map((t, i) => (i === at ? ticket : t));
}

// ---------------------------------------------------------------------------------------------
// Connection helpers (pure)

/** Delay before reconnect attempt `attempt` (0 first): full jitter, capped. */
export function backoffDelay(attempt, random = Math.random, base = BACKOFF_BASE_MS,
  cap = BACKOFF_CAP_MS) {
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** `url` with its `since=` parameter set to `since` (or removed when since is null). */
export function withSince(url, since) {
  const hashAt = url.indexOf("#");
  const hash = hashAt === -1 ? "" : url.slice(hashAt);
  const bare = hashAt === -1 ? url : url.slice(0, hashAt);
  const queryAt = bare.indexOf("?");
  const path = queryAt === -1 ? bare : bare.slice(0, queryAt);
  const params = queryAt === -1 ? [] : bare.slice(queryAt + 1).split("&");
  const kept = params.filter((p) => p !== "" && !p.startsWith("since="));
  if (since !== null && since !== undefined) kept.push(`since=${encodeURIComponent(since)}`);
  return (kept.length ? `${path}?${kept.join("&")}` : path) + hash;
}

/** A path such as "/ws/v1/offices/x?role=display" made absolute (ws: or wss:) for `location`. */
export function absoluteWsUrl(url, location) {
  if (!location || !url.startsWith("/") || url.startsWith("//")) return url;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${url}`;
}

// ---------------------------------------------------------------------------------------------
// The connection

/**
 * Follows one office and keeps `state` right. Connects as soon as it is constructed.
 *
 * options:
 *   url            ws URL without `since` (a path starting with "/" is made absolute from
 *                  `location`), e.g. "wss://host/ws/v1/offices/kcp?role=display&token=T"
 *   onState(state) after every snapshot or applied event
 *   onStatus(status, detail)  "connecting" (before the first connection), "live" (a message
 *                  arrived on the current socket), "reconnecting" (lost; trying again);
 *                  detail is {closeCode, closeReason} when a socket closed
 *   onEvent(msg, state)  after each applied event (including `hidden`)
 *   onMessage(msg) every parsed server message, before it is applied (optional)
 *   onUnauthorised()  the server closed with 4401 (a revoked device, an ended session): when
 *                  given, it is called and the connection stops for good (a paired screen
 *                  reloads, and its page sends it to pairing); without it, 4401 is retried
 *   state          a state to start from (e.g. embedded in the page): connects with since=
 *   WebSocketImpl  default globalThis.WebSocket
 *   random, setTimeout, clearTimeout   injectable for tests
 *   pingIntervalMs (20 s), silenceTimeoutMs (60 s), backoffBaseMs (250), backoffCapMs (2 s)
 *   location       for relative URLs (default globalThis.location)
 */
export class LiveConnection {
  constructor(options) {
    if (!options || typeof options.url !== "string") throw new TypeError("options.url is required");
    const o = options;
    this._url = absoluteWsUrl(o.url, o.location ?? globalThis.location);
    this._onState = o.onState ?? (() => {});
    this._onStatus = o.onStatus ?? (() => {});
    this._onEvent = o.onEvent ?? (() => {});
    this._onMessage = o.onMessage ?? (() => {});
    this._onUnauthorised = o.onUnauthorised ?? null;
    this._WebSocket = o.WebSocketImpl ?? globalThis.WebSocket;
    if (typeof this._WebSocket !== "function") throw new TypeError("no WebSocket implementation");
    this._random = o.random ?? Math.random;
    // Call the timer functions unbound from `options`/`this` (browsers need `this` = window).
    const st = o.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
    const ct = o.clearTimeout ?? ((id) => globalThis.clearTimeout(id));
    this._setTimeout = (fn, ms) => st(fn, ms);
    this._clearTimeout = (id) => ct(id);
    this._pingIntervalMs = o.pingIntervalMs ?? PING_INTERVAL_MS;
    this._silenceTimeoutMs = o.silenceTimeoutMs ?? SILENCE_TIMEOUT_MS;
    this._backoffBaseMs = o.backoffBaseMs ?? BACKOFF_BASE_MS;
    this._backoffCapMs = o.backoffCapMs ?? BACKOFF_CAP_MS;

    this._state = o.state ?? null;
    this._status = null;
    this._everLive = false;
    this._closed = false;
    this._ws = null;
    this._attempt = 0; // failed attempts since the last live socket
    this._resyncPending = false;
    this._pingTimer = null;
    this._silenceTimer = null;
    this._retryTimer = null;

    this._setStatus("connecting");
    this._open();
  }

  /** The screen's current state (null before the first snapshot). */
  get state() {
    return this._state;
  }

  /** "connecting", "live" or "reconnecting". */
  get status() {
    return this._status;
  }

  /** Ask the server for a fresh snapshot. */
  resync() {
    this._resyncPending = true;
    this._send({ type: "resync" });
  }

  /** Stop for good: no more reconnects, timers or callbacks. */
  close() {
    if (this._closed) return;
    this._closed = true;
    this._clearTimers();
    const ws = this._ws;
    this._ws = null;
    if (ws) {
      detach(ws);
      try {
        ws.close(1000, "closed");
      } catch {
        // already closing
      }
    }
  }

  // -- internals ------------------------------------------------------------------------------

  _open() {
    if (this._closed) return;
    this._retryTimer = null;
    const since = this._state ? this._state.version : null;
    let ws;
    try {
      ws = new this._WebSocket(withSince(this._url, since));
    } catch {
      this._lost(null);
      return;
    }
    this._ws = ws;
    this._resyncPending = false;
    ws.onopen = () => {
      if (this._ws !== ws) return;
      // A ping right away: its pong proves the socket live even when nothing needs replaying.
      this._send({ type: "ping" });
      this._schedulePing();
    };
    ws.onmessage = (event) => {
      if (this._ws === ws) this._received(event.data);
    };
    ws.onclose = (event) => {
      if (this._ws === ws) this._lost(event);
    };
    ws.onerror = () => {
      // A close event follows; nothing to do until then.
    };
    this._armSilence();
  }

  _received(data) {
    this._armSilence();
    if (this._status !== "live") {
      this._attempt = 0;
      this._everLive = true;
      this._setStatus("live");
    }
    let msg;
    try {
      msg = JSON.parse(typeof data === "string" ? data : String(data));
    } catch {
      return;
    }
    if (msg === null || typeof msg !== "object") return;
    this._onMessage(msg);
    if (msg.type === "ping") {
      this._send({ type: "pong" });
      return;
    }
    if (msg.type !== "snapshot" && msg.type !== "event") return;
    const { state, gap } = applyMessage(this._state, msg);
    if (gap) {
      if (!this._resyncPending) this.resync();
      return;
    }
    this._state = state;
    if (msg.type === "snapshot") this._resyncPending = false;
    this._onState(state);
    if (msg.type === "event") this._onEvent(msg, state);
  }

  _lost(event) {
    const ws = this._ws;
    this._ws = null;
    this._clearTimers();
    if (ws) detach(ws);
    if (this._closed) return;
    if (event && event.code === UNAUTHORISED && this._onUnauthorised) {
      this._closed = true;
      this._onUnauthorised();
      return;
    }
    const detail = event ? { closeCode: event.code, closeReason: event.reason } : {};
    this._setStatus(this._everLive ? "reconnecting" : "connecting", detail);
    const delay = backoffDelay(this._attempt, this._random, this._backoffBaseMs,
      this._backoffCapMs);
    this._attempt += 1;
    this._retryTimer = this._setTimeout(() => this._open(), delay);
  }

  _silent() {
    // Nothing heard for the silence timeout: give this socket up and start again.
    const ws = this._ws;
    if (ws) {
      detach(ws);
      try {
        ws.close(4000, "silence");
      } catch {
        // already closing
      }
    }
    this._lost({ code: 4000, reason: "silence" });
  }

  _send(msg) {
    const ws = this._ws;
    if (!ws || ws.readyState !== 1) return false; // 1 = OPEN
    try {
      ws.send(JSON.stringify(msg));
      return true;
    } catch {
      return false;
    }
  }

  _schedulePing() {
    if (this._pingTimer !== null) this._clearTimeout(this._pingTimer);
    this._pingTimer = this._setTimeout(() => {
      this._pingTimer = null;
      this._send({ type: "ping" });
      this._schedulePing();
    }, this._pingIntervalMs);
  }

  _armSilence() {
    if (this._silenceTimer !== null) this._clearTimeout(this._silenceTimer);
    this._silenceTimer = this._setTimeout(() => {
      this._silenceTimer = null;
      this._silent();
    }, this._silenceTimeoutMs);
  }

  _clearTimers() {
    for (const name of ["_pingTimer", "_silenceTimer", "_retryTimer"]) {
      if (this[name] !== null) this._clearTimeout(this[name]);
      this[name] = null;
    }
  }

  _setStatus(status, detail = {}) {
    if (status === this._status) return;
    this._status = status;
    this._onStatus(status, detail);
  }
}

/** Start following an office: `new LiveConnection(options)`. */
export function connect(options) {
  return new LiveConnection(options);
}

function detach(ws) {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onclose = null;
  ws.onerror = null;
}

// ---------------------------------------------------------------------------------------------
// Status banner

/** The banner text for `status` from the page's `texts` ({connecting, reconnecting}). */
export function statusText(status, texts) {
  if (status === "live") return "";
  return (texts && (texts[status] ?? texts.reconnecting)) ?? "";
}

/**
 * Show the page's "Menyambungkan kembali…" text (`texts.reconnecting`, or `texts.connecting`
 * before the first message) in `element` while not live; hide it when live. Sets `hidden`, the
 * text, `data-status`, and role="status" for screen readers.
 */
export function renderStatusBanner(element, status, texts) {
  if (!element) return;
  const live = status === "live";
  element.hidden = live;
  element.textContent = live ? "" : statusText(status, texts);
  if (element.dataset) element.dataset.status = status;
  if (typeof element.setAttribute === "function") {
    element.setAttribute("role", "status");
    element.setAttribute("aria-live", "polite");
  }
}
