// Test doubles for LiveConnection: a manual clock and a scriptable WebSocket class.

/** Timers that only fire when the test advances time. */
export class FakeClock {
  constructor() {
    this.time = 0;
    this._timers = new Map();
    this._nextId = 1;
    this.setTimeout = (fn, ms) => {
      const id = this._nextId++;
      this._timers.set(id, { at: this.time + Math.max(0, ms ?? 0), fn, seq: id });
      return id;
    };
    this.clearTimeout = (id) => {
      this._timers.delete(id);
    };
    this.now = () => this.time;
  }

  /** Timers still waiting. */
  get pending() {
    return this._timers.size;
  }

  /** Move time forward by `ms`, firing every timer that falls due (timers they set too). */
  advance(ms) {
    const end = this.time + ms;
    for (;;) {
      let due = null;
      for (const [id, t] of this._timers) {
        if (t.at <= end && (due === null || t.at < due[1].at
          || (t.at === due[1].at && t.seq < due[1].seq))) {
          due = [id, t];
        }
      }
      if (due === null) break;
      this._timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = end;
  }
}

/** A WebSocket class whose instances the test drives by hand; `clock` stamps creation times. */
export function fakeWebSocketClass(clock) {
  const instances = [];
  class FakeWebSocket {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;
    static instances = instances;

    constructor(url) {
      this.url = url;
      this.createdAt = clock ? clock.now() : 0;
      this.readyState = 0;
      this.sent = [];
      this.closedWith = null;
      this.onopen = null;
      this.onmessage = null;
      this.onclose = null;
      this.onerror = null;
      instances.push(this);
    }

    /** Messages the client sent, parsed. */
    get messages() {
      return this.sent.map((s) => JSON.parse(s));
    }

    send(data) {
      if (this.readyState !== 1) throw new Error("InvalidStateError: not open");
      this.sent.push(data);
    }

    // Like a browser: the client's close() ends in a close event (if anyone still listens).
    close(code = 1000, reason = "") {
      this.closedWith = { code, reason };
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.onclose?.({ code, reason, wasClean: true });
    }

    // -- driven by the test (the "server") --

    open() {
      this.readyState = 1;
      this.onopen?.({});
    }

    receive(msg) {
      this.onmessage?.({ data: typeof msg === "string" ? msg : JSON.stringify(msg) });
    }

    serverClose(code = 1006, reason = "") {
      this.readyState = 3;
      this.onerror?.({});
      this.onclose?.({ code, reason, wasClean: false });
    }
  }
  return FakeWebSocket;
}
