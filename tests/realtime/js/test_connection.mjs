// LiveConnection with a fake WebSocket and a manual clock: heartbeats, gaps, reconnects.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  backoffDelay,
  connect,
  LiveConnection,
  renderStatusBanner,
  statusText,
  withSince,
} from "../../../queue_server/web/static/js/antrean-live.js";
import { call, event, publicSnapshot } from "./fixtures.mjs";
import { FakeClock, fakeWebSocketClass } from "./fakes.mjs";

const URL = "wss://antrean.test/ws/v1/offices/kcp-depok?role=display&token=abc";
const ALMOST_ONE = 0.999_999;

function setup(extra = {}) {
  const clock = new FakeClock();
  const WS = fakeWebSocketClass(clock);
  const statuses = [];
  const states = [];
  const events = [];
  const live = new LiveConnection({
    url: URL,
    WebSocketImpl: WS,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    random: () => ALMOST_ONE,
    onStatus: (status, detail) => statuses.push([status, detail]),
    onState: (state) => states.push(state),
    onEvent: (msg, state) => events.push([msg, state]),
    ...extra,
  });
  const socket = () => WS.instances.at(-1);
  return { clock, WS, live, statuses, states, events, socket,
    statusNames: () => statuses.map(([s]) => s) };
}

/** Open the newest socket and send it a snapshot at `version`. */
function goLive(t, version = 7) {
  const ws = t.socket();
  ws.open();
  ws.receive({ type: "snapshot", ...publicSnapshot(version) });
  return ws;
}

function sinceOf(url) {
  const match = /[?&]since=([^&#]*)/.exec(url);
  return match ? match[1] : null;
}

describe("connecting", () => {
  test("connects at once, without since, and goes live on the first message", () => {
    const t = setup();
    assert.equal(t.WS.instances.length, 1);
    assert.equal(t.socket().url, URL);
    assert.deepEqual(t.statusNames(), ["connecting"]);
    t.socket().open();
    assert.deepEqual(t.statusNames(), ["connecting"], "open alone is not live yet");
    t.socket().receive({ type: "snapshot", ...publicSnapshot(7) });
    assert.deepEqual(t.statusNames(), ["connecting", "live"]);
    assert.equal(t.live.status, "live");
    assert.deepEqual(t.live.state, publicSnapshot(7));
    assert.deepEqual(t.states, [publicSnapshot(7)]);
    assert.equal(t.events.length, 0, "a snapshot is not an event");
    t.live.close();
  });

  test("a pong is enough to go live (nothing to replay after since=)", () => {
    const t = setup({ state: publicSnapshot(7) });
    assert.equal(sinceOf(t.socket().url), "7", "a given state connects with since=");
    t.socket().open();
    assert.deepEqual(t.socket().messages, [{ type: "ping" }], "pings on open");
    t.socket().receive({ type: "pong" });
    assert.equal(t.live.status, "live");
    t.live.close();
  });

  test("a relative URL is made absolute from the page's location", () => {
    const t = setup({ url: "/ws/v1/offices/x?role=kiosk",
      location: { protocol: "https:", host: "antrean.test:8443" } });
    assert.equal(t.socket().url, "wss://antrean.test:8443/ws/v1/offices/x?role=kiosk");
    t.live.close();
    const u = setup({ url: "/ws/v1/offices/x?role=kiosk",
      location: { protocol: "http:", host: "localhost" } });
    assert.equal(u.socket().url, "ws://localhost/ws/v1/offices/x?role=kiosk");
    u.live.close();
  });

  test("connect() is new LiveConnection()", () => {
    const clock = new FakeClock();
    const WS = fakeWebSocketClass(clock);
    const live = connect({ url: URL, WebSocketImpl: WS, setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout });
    assert.ok(live instanceof LiveConnection);
    assert.equal(WS.instances.length, 1);
    live.close();
  });

  test("needs a url and a WebSocket", () => {
    assert.throws(() => new LiveConnection({}), TypeError);
    assert.throws(() => new LiveConnection({ url: URL, WebSocketImpl: null }), TypeError);
  });
});

describe("events", () => {
  test("applied events reach onState and onEvent; the state follows", () => {
    const t = setup();
    const ws = goLive(t, 7);
    const msg = event(8, { event: "ticket_called", call: call("A-002") });
    ws.receive(msg);
    assert.equal(t.live.state.version, 8);
    assert.deepEqual(t.live.state.recent_calls[0], call("A-002"));
    assert.equal(t.states.length, 2);
    assert.deepEqual(t.events, [[msg, t.live.state]]);
    ws.receive({ type: "event", version: 9, event: "hidden", at: "x" });
    assert.equal(t.live.state.version, 9);
    assert.equal(t.events.length, 2, "hidden events are reported too");
    t.live.close();
  });

  test("a gap sends one resync and keeps the state until the snapshot", () => {
    const t = setup();
    const ws = goLive(t, 7);
    ws.receive(event(9));
    assert.deepEqual(ws.messages.filter((m) => m.type === "resync"), [{ type: "resync" }]);
    assert.equal(t.live.state.version, 7);
    assert.equal(t.states.length, 1, "no onState for a gap");
    ws.receive(event(10));
    ws.receive(event(11));
    assert.equal(ws.messages.filter((m) => m.type === "resync").length, 1, "only one resync");
    ws.receive({ type: "snapshot", ...publicSnapshot(11) });
    assert.equal(t.live.state.version, 11);
    ws.receive(event(12));
    assert.equal(t.live.state.version, 12);
    ws.receive(event(12));
    assert.equal(ws.messages.filter((m) => m.type === "resync").length, 2,
      "a duplicate after the snapshot asks again");
    t.live.close();
  });

  test("garbage and unknown messages are ignored (but count as heard)", () => {
    const t = setup();
    const ws = goLive(t, 7);
    ws.receive("not json");
    ws.receive({ type: "something_new" });
    ws.receive("42");
    assert.equal(t.live.state.version, 7);
    assert.equal(t.live.status, "live");
    t.live.close();
  });
});

describe("heartbeats", () => {
  test("a server ping is answered with a pong", () => {
    const t = setup();
    const ws = goLive(t, 7);
    ws.receive({ type: "ping", version: 7 });
    assert.deepEqual(ws.messages.at(-1), { type: "pong" });
    t.live.close();
  });

  test("the client pings every 20 s", () => {
    const t = setup();
    const ws = goLive(t, 7);
    const pings = () => ws.messages.filter((m) => m.type === "ping").length;
    assert.equal(pings(), 1, "one ping on open");
    t.clock.advance(19_999);
    assert.equal(pings(), 1);
    t.clock.advance(1);
    assert.equal(pings(), 2);
    ws.receive({ type: "pong" });
    t.clock.advance(20_000);
    assert.equal(pings(), 3);
    t.live.close();
  });

  test("60 s of silence closes the socket and reconnects with since=", () => {
    const t = setup();
    const ws = goLive(t, 7);
    ws.receive(event(8));
    t.clock.advance(59_999);
    assert.equal(t.WS.instances.length, 1);
    assert.equal(ws.closedWith, null);
    t.clock.advance(1);
    assert.notEqual(ws.closedWith, null, "the silent socket is closed");
    assert.equal(t.live.status, "reconnecting");
    assert.equal(t.statuses.at(-1)[1].closeCode, 4000);
    t.clock.advance(250);
    assert.equal(t.WS.instances.length, 2);
    assert.equal(sinceOf(t.socket().url), "8");
    t.live.close();
  });

  test("anything heard keeps the socket (pongs every 20 s for 5 minutes)", () => {
    const t = setup();
    const ws = goLive(t, 7);
    for (let i = 0; i < 15; i++) {
      t.clock.advance(20_000);
      ws.receive({ type: "pong" });
    }
    assert.equal(t.WS.instances.length, 1);
    assert.equal(ws.closedWith, null);
    assert.equal(t.live.status, "live");
    t.live.close();
  });

  test("a socket that never opens is given up after 60 s", () => {
    const t = setup();
    t.clock.advance(60_000);
    assert.notEqual(t.WS.instances[0].closedWith, null);
    t.clock.advance(250);
    assert.equal(t.WS.instances.length, 2);
    assert.equal(t.live.status, "connecting", "never live yet: still connecting");
    t.live.close();
  });
});

describe("reconnecting", () => {
  test("status goes connecting -> live -> reconnecting -> live, with since= carried", () => {
    const t = setup();
    const first = goLive(t, 7);
    first.receive(event(8));
    first.serverClose(1006);
    assert.deepEqual(t.statusNames(), ["connecting", "live", "reconnecting"]);
    assert.deepEqual(t.statuses.at(-1)[1], { closeCode: 1006, closeReason: "" });
    t.clock.advance(250);
    const second = t.socket();
    assert.notEqual(second, first);
    assert.equal(sinceOf(second.url), "8");
    assert.ok(second.url.startsWith(URL + "&"), "role and token are kept");
    second.open();
    assert.equal(t.live.status, "reconnecting");
    second.receive(event(9)); // the server replays what was missed
    assert.deepEqual(t.statusNames(), ["connecting", "live", "reconnecting", "live"]);
    assert.equal(t.live.state.version, 9);
    second.serverClose(1001);
    t.clock.advance(250);
    assert.equal(sinceOf(t.socket().url), "9");
    t.live.close();
  });

  test("backoff grows with full jitter, capped at 2 s, first retry within 250 ms", () => {
    const t = setup();
    const gaps = [];
    for (let i = 0; i < 8; i++) {
      const ws = t.socket();
      const closedAt = t.clock.now();
      ws.serverClose(1006);
      const before = t.WS.instances.length;
      let waited = 0;
      while (t.WS.instances.length === before) {
        t.clock.advance(1);
        waited += 1;
        assert.ok(waited <= 2_000, "waited more than 2 s");
      }
      gaps.push(t.socket().createdAt - closedAt);
    }
    assert.deepEqual(gaps, [249, 499, 999, 1999, 1999, 1999, 1999, 1999]);
    t.live.close();
  });

  test("the backoff starts again once a socket went live", () => {
    const t = setup();
    for (let i = 0; i < 4; i++) {
      t.socket().serverClose(1006);
      t.clock.advance(2_000);
    }
    goLive(t, 7);
    const closedAt = t.clock.now();
    t.socket().serverClose(1006);
    t.clock.advance(250);
    assert.equal(t.socket().createdAt - closedAt, 249);
    t.live.close();
  });

  test("full jitter: a random of 0 retries at once", () => {
    const t = setup({ random: () => 0 });
    goLive(t, 7);
    t.socket().serverClose(1006);
    assert.equal(t.WS.instances.length, 1);
    t.clock.advance(0);
    assert.equal(t.WS.instances.length, 2);
    t.live.close();
  });

  test("refusals (4401) are retried too, never faster than the backoff", () => {
    const t = setup();
    t.socket().serverClose(4401, "bad token");
    assert.equal(t.live.status, "connecting");
    t.clock.advance(250);
    assert.equal(t.WS.instances.length, 2);
    assert.equal(sinceOf(t.socket().url), null, "no state yet: no since=");
    t.live.close();
  });

  test("with onUnauthorised, a 4401 (revoked device) stops retrying and calls it once", () => {
    let told = 0;
    const t = setup({ onUnauthorised: () => (told += 1) });
    goLive(t);
    t.socket().serverClose(4401, "revoked");
    t.clock.advance(10_000);
    assert.equal(told, 1);
    assert.equal(t.WS.instances.length, 1, "no reconnect with a dead credential");
    t.socket().serverClose(1006, "");
    t.clock.advance(10_000);
    assert.equal(t.WS.instances.length, 1);
  });

  test("a WebSocket constructor that throws is retried", () => {
    const clock = new FakeClock();
    const WS = fakeWebSocketClass(clock);
    let fail = true;
    class Flaky extends WS {
      constructor(url) {
        if (fail) {
          fail = false;
          throw new Error("SyntaxError");
        }
        super(url);
      }
    }
    const live = new LiveConnection({ url: URL, WebSocketImpl: Flaky,
      setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, random: () => 0.5 });
    assert.equal(WS.instances.length, 0);
    clock.advance(125);
    assert.equal(WS.instances.length, 1);
    live.close();
  });

  test("a replaced socket's late messages are ignored", () => {
    const t = setup();
    const first = goLive(t, 7);
    t.clock.advance(60_000); // silence: first is given up
    t.clock.advance(250);
    first.receive(event(8));
    first.receive({ type: "ping", version: 8 });
    assert.equal(t.live.state.version, 7);
    assert.equal(first.messages.filter((m) => m.type === "pong").length, 0);
    t.live.close();
  });
});

describe("close()", () => {
  test("stops for good: closes the socket, clears every timer, never reconnects", () => {
    const t = setup();
    const ws = goLive(t, 7);
    t.live.close();
    assert.deepEqual(ws.closedWith, { code: 1000, reason: "closed" });
    assert.equal(t.clock.pending, 0);
    ws.serverClose(1006);
    t.clock.advance(600_000);
    assert.equal(t.WS.instances.length, 1);
    assert.deepEqual(t.statusNames(), ["connecting", "live"]);
    t.live.close(); // twice is fine
  });

  test("while waiting to reconnect", () => {
    const t = setup();
    goLive(t, 7);
    t.socket().serverClose(1006);
    t.live.close();
    assert.equal(t.clock.pending, 0);
    t.clock.advance(10_000);
    assert.equal(t.WS.instances.length, 1);
  });
});

describe("helpers", () => {
  test("withSince sets, replaces and removes since=", () => {
    assert.equal(withSince("ws://h/ws?role=display", 5), "ws://h/ws?role=display&since=5");
    assert.equal(withSince("ws://h/ws", 5), "ws://h/ws?since=5");
    assert.equal(withSince("ws://h/ws?since=3&role=x", 5), "ws://h/ws?role=x&since=5");
    assert.equal(withSince("ws://h/ws?role=x&since=3", null), "ws://h/ws?role=x");
    assert.equal(withSince("ws://h/ws?since=3", null), "ws://h/ws");
  });

  test("backoffDelay", () => {
    assert.equal(backoffDelay(0, () => 0), 0);
    assert.equal(backoffDelay(0, () => ALMOST_ONE), 249);
    assert.equal(backoffDelay(3, () => ALMOST_ONE), 1999);
    assert.equal(backoffDelay(1000, () => ALMOST_ONE), 1999);
    assert.equal(backoffDelay(2, () => 0.5), 500);
  });
});

describe("renderStatusBanner", () => {
  // The page's own words, as the server renders them from its catalog.
  const ID = { connecting: "Menyambungkan…", reconnecting: "Menyambungkan kembali…" };
  const EN = { connecting: "Connecting…", reconnecting: "Reconnecting…" };

  function element() {
    const attributes = {};
    return { hidden: false, textContent: "", dataset: {}, attributes,
      setAttribute: (k, v) => { attributes[k] = v; } };
  }

  test("the page's text, visible while not live", () => {
    const el = element();
    renderStatusBanner(el, "reconnecting", ID);
    assert.equal(el.hidden, false);
    assert.equal(el.textContent, "Menyambungkan kembali…");
    assert.equal(el.dataset.status, "reconnecting");
    assert.equal(el.attributes.role, "status");
    renderStatusBanner(el, "connecting", ID);
    assert.equal(el.textContent, "Menyambungkan…");
    renderStatusBanner(el, "reconnecting", EN);
    assert.equal(el.textContent, "Reconnecting…");
  });

  test("hidden when live", () => {
    const el = element();
    renderStatusBanner(el, "reconnecting", ID);
    renderStatusBanner(el, "live", ID);
    assert.equal(el.hidden, true);
    assert.equal(el.textContent, "");
  });

  test("an unknown status reads as reconnecting; a bare element works", () => {
    const el = { hidden: false, textContent: "" };
    renderStatusBanner(el, "closing", ID);
    assert.equal(el.textContent, ID.reconnecting);
    renderStatusBanner(null, "live", ID); // nothing to do
    assert.equal(statusText("live", ID), "");
    assert.equal(statusText("reconnecting", undefined), "");
  });
});

describe("browser defaults", () => {
  test("uses globalThis.WebSocket and calls timers unbound (window needs this=window)", () => {
    const WS = fakeWebSocketClass(null);
    const saved = [globalThis.WebSocket, globalThis.setTimeout, globalThis.clearTimeout];
    const calls = [];
    globalThis.WebSocket = WS;
    globalThis.setTimeout = function (fn, ms) {
      calls.push(["set", this === globalThis, ms]);
      return calls.length;
    };
    globalThis.clearTimeout = function (id) {
      calls.push(["clear", this === globalThis, id]);
    };
    try {
      const live = new LiveConnection({ url: URL });
      assert.equal(WS.instances.length, 1);
      live.close();
    } finally {
      [globalThis.WebSocket, globalThis.setTimeout, globalThis.clearTimeout] = saved;
    }
    assert.deepEqual(calls, [["set", true, 60_000], ["clear", true, 1]]);
  });
});
