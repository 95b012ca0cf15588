// applyMessage: the pure part of the live client (docs/realtime.md, "Keeping a screen right").
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  applyMessage,
  ENDED_STATUSES,
  RECENT_CALLS,
} from "../../../queue_server/web/static/js/antrean-live.js";
import {
  call,
  clone,
  counterSnapshot,
  event,
  publicSnapshot,
  staffTicket,
  trackSnapshot,
  trackTicket,
} from "./fixtures.mjs";

function apply(state, msg) {
  const before = clone(state);
  const msgBefore = clone(msg);
  const result = applyMessage(state, msg);
  assert.deepEqual(state, before, "the input state was modified");
  assert.deepEqual(msg, msgBefore, "the message was modified");
  return result;
}

describe("snapshot", () => {
  test("replaces everything and drops `type`", () => {
    const old = counterSnapshot(3);
    const fresh = publicSnapshot(42);
    const { state, gap } = apply(old, { type: "snapshot", ...fresh });
    assert.equal(gap, false);
    assert.deepEqual(state, fresh);
    assert.equal("tickets" in state, false);
  });

  test("starts from nothing", () => {
    const { state, gap } = apply(null, { type: "snapshot", ...trackSnapshot(1) });
    assert.equal(gap, false);
    assert.deepEqual(state, trackSnapshot(1));
  });

  test("may go back in version (a new day starts again)", () => {
    const { state, gap } = apply(publicSnapshot(900), { type: "snapshot", ...publicSnapshot(1) });
    assert.equal(gap, false);
    assert.equal(state.version, 1);
  });
});

describe("events", () => {
  test("set each listed service's waiting by code", () => {
    const s = publicSnapshot(7);
    const { state, gap } = apply(s, event(8, { services: [{ code: "KK", waiting: 4 }] }));
    assert.equal(gap, false);
    assert.equal(state.version, 8);
    assert.deepEqual(state.services.map((x) => [x.code, x.waiting]), [["KTP", 3], ["KK", 4]]);
    assert.deepEqual(state.services[1].name, s.services[1].name);
    assert.equal(state.services[0], s.services[0], "unchanged services are shared");
    assert.deepEqual(state.counters, s.counters);
    assert.deepEqual(state.recent_calls, s.recent_calls);
  });

  test("a service code the screen does not show is ignored", () => {
    const { state } = apply(publicSnapshot(7), event(8, { services: [{ code: "X", waiting: 1 }] }));
    assert.deepEqual(state.services, publicSnapshot().services);
  });

  test("replace each listed counter by number", () => {
    const face = { number: 2, name: "Loket 2", state: "open", services: ["KK"],
      serving: { number: "B-001", service: "KK", status: "called" } };
    const { state } = apply(publicSnapshot(7), event(8, { event: "counter_opened",
      counters: [face] }));
    assert.deepEqual(state.counters, [publicSnapshot().counters[0], face]);
  });

  test("an unseen counter is added in number order", () => {
    const face = { number: 0, name: "Loket Prioritas", state: "open", services: [],
      serving: null };
    const { state } = apply(publicSnapshot(7), event(8, { counters: [face] }));
    assert.deepEqual(state.counters.map((c) => c.number), [0, 1, 2]);
  });

  test("a call goes to the front of recent_calls", () => {
    const c = call("A-002", 1, 11);
    const { state } = apply(publicSnapshot(7), event(8, { event: "ticket_called", call: c }));
    assert.deepEqual(state.recent_calls, [c, publicSnapshot().recent_calls[0]]);
  });

  test("recent_calls keeps the newest 10", () => {
    let s = { ...publicSnapshot(0), recent_calls: [] };
    for (let i = 1; i <= 14; i++) {
      s = apply(s, event(i, { event: "ticket_called", call: call(`A-${i}`, 1, i) })).state;
    }
    assert.equal(RECENT_CALLS, 10);
    assert.equal(s.recent_calls.length, 10);
    assert.deepEqual(s.recent_calls.map((c) => c.number),
      [14, 13, 12, 11, 10, 9, 8, 7, 6, 5].map((i) => `A-${i}`));
  });

  test("recalls and resumes are announced again (no de-duplication)", () => {
    const c = call("A-001", 1, 12);
    const { state } = apply(publicSnapshot(7), event(8, { event: "ticket_recalled", call: c }));
    assert.deepEqual(state.recent_calls.map((x) => x.number), ["A-001", "A-001"]);
  });

  test("counter screens: a new ticket is appended", () => {
    const t = staffTicket("t4", "A-004");
    const { state } = apply(counterSnapshot(7), event(8, { ticket: t }));
    assert.deepEqual(state.tickets.map((x) => x.id), ["t1", "t2", "t3", "t4"]);
    assert.deepEqual(state.tickets[3], t);
  });

  test("counter screens: a changed ticket is replaced in place", () => {
    const t = staffTicket("t2", "A-002", "called", { counter: 2, called_at: "x" });
    const { state } = apply(counterSnapshot(7), event(8, { event: "ticket_called", ticket: t }));
    assert.deepEqual(state.tickets.map((x) => x.id), ["t1", "t2", "t3"]);
    assert.deepEqual(state.tickets[1], t);
  });

  for (const status of ENDED_STATUSES) {
    test(`counter screens: a ${status} ticket is dropped`, () => {
      const t = staffTicket("t1", "A-001", status, { counter: 1 });
      const { state } = apply(counterSnapshot(7), event(8, { ticket: t }));
      assert.deepEqual(state.tickets.map((x) => x.id), ["t2", "t3"]);
    });
  }

  test("counter screens: an ended ticket never seen is not added", () => {
    const t = staffTicket("t9", "A-009", "cancelled");
    const { state } = apply(counterSnapshot(7), event(8, { ticket: t }));
    assert.deepEqual(state.tickets.map((x) => x.id), ["t1", "t2", "t3"]);
  });

  test("missed and held tickets stay on counter screens", () => {
    let s = counterSnapshot(7);
    s = apply(s, event(8, { ticket: staffTicket("t2", "A-002", "missed") })).state;
    s = apply(s, event(9, { ticket: staffTicket("t3", "A-003", "held") })).state;
    assert.deepEqual(s.tickets.map((x) => x.status), ["serving", "missed", "held"]);
  });

  test("a visitor's page replaces its ticket, even when it has ended", () => {
    let s = trackSnapshot(7);
    s = apply(s, event(8, { ticket: trackTicket(1) })).state;
    assert.deepEqual(s.ticket, trackTicket(1));
    s = apply(s, event(9, { ticket: trackTicket(0, "done") })).state;
    assert.deepEqual(s.ticket, trackTicket(0, "done"));
    assert.equal("tickets" in s, false);
  });

  test("public screens ignore a ticket", () => {
    const { state } = apply(publicSnapshot(7), event(8, { ticket: staffTicket("t9", "A-9") }));
    assert.deepEqual(state, { ...publicSnapshot(7), version: 8 });
  });

  test("one event may carry everything at once", () => {
    const c = call("A-002", 2, 13);
    const face = { ...publicSnapshot().counters[1], state: "open",
      serving: { number: "A-002", service: "KTP", status: "called" } };
    const t = staffTicket("t2", "A-002", "called", { counter: 2 });
    const { state } = apply(counterSnapshot(7), event(8, { event: "ticket_called",
      services: [{ code: "KTP", waiting: 2 }], counters: [face], call: c, ticket: t }));
    assert.equal(state.version, 8);
    assert.equal(state.services[0].waiting, 2);
    assert.deepEqual(state.counters[1], face);
    assert.deepEqual(state.recent_calls[0], c);
    assert.deepEqual(state.tickets[1], t);
  });
});

describe("hidden events", () => {
  test("only advance the version", () => {
    const { state, gap } = apply(publicSnapshot(7), { type: "event", version: 8, event: "hidden",
      at: "2024-11-22T08:30:00+07:00" });
    assert.equal(gap, false);
    assert.deepEqual(state, { ...publicSnapshot(7), version: 8 });
  });

  test("apply services and counters when present, never a call or a staff ticket", () => {
    const face = { ...publicSnapshot().counters[0], serving: null };
    const { state } = apply(counterSnapshot(7), event(8, { event: "hidden",
      services: [{ code: "KTP", waiting: 9 }], counters: [face], call: call("Z-1"),
      ticket: staffTicket("t1", "A-001", "done") }));
    assert.equal(state.services[0].waiting, 9);
    assert.deepEqual(state.counters[0], face);
    assert.deepEqual(state.recent_calls, publicSnapshot().recent_calls);
    assert.deepEqual(state.tickets, counterSnapshot().tickets);
  });

  test("a visitor's page still takes its own ticket (new `ahead`)", () => {
    const { state } = apply(trackSnapshot(7), event(8, { event: "hidden",
      services: [{ code: "KTP", waiting: 2 }], ticket: trackTicket(1) }));
    assert.deepEqual(state.ticket, trackTicket(1));
    assert.equal(state.services[0].waiting, 2);
  });
});

describe("gaps", () => {
  const cases = [
    ["a version jump", 9],
    ["a duplicate", 7],
    ["an old version", 3],
    ["a missing version", undefined],
  ];
  for (const [name, version] of cases) {
    test(`${name} is a gap and changes nothing`, () => {
      const s = counterSnapshot(7);
      const msg = event(version, { services: [{ code: "KTP", waiting: 0 }], call: call("A-9"),
        ticket: staffTicket("t1", "A-001", "done") });
      if (version === undefined) delete msg.version;
      const { state, gap } = apply(s, msg);
      assert.equal(gap, true);
      assert.equal(state, s);
    });
  }

  test("an event before any snapshot is a gap", () => {
    const { state, gap } = apply(null, event(1));
    assert.equal(gap, true);
    assert.equal(state, null);
  });

  test("a hidden event is checked like any other", () => {
    assert.equal(apply(publicSnapshot(7), event(10, { event: "hidden" })).gap, true);
  });

  test("consecutive events apply one after another", () => {
    let s = publicSnapshot(7);
    for (const v of [8, 9, 10]) {
      const r = apply(s, event(v, { services: [{ code: "KK", waiting: v }] }));
      assert.equal(r.gap, false);
      s = r.state;
    }
    assert.equal(s.version, 10);
    assert.equal(s.services[1].waiting, 10);
  });
});

describe("other messages", () => {
  for (const msg of [{ type: "ping", version: 99 }, { type: "pong" }, { type: "later" }, null]) {
    test(`${JSON.stringify(msg)} leaves the state alone`, () => {
      const s = publicSnapshot(7);
      const r = applyMessage(s, msg);
      assert.equal(r.state, s);
      assert.equal(r.gap, false);
    });
  }
});

describe("immutability", () => {
  test("returns new objects and never touches the input", () => {
    const s = Object.freeze(counterSnapshot(7));
    for (const key of ["services", "counters", "recent_calls", "tickets"]) Object.freeze(s[key]);
    s.services.forEach(Object.freeze);
    s.tickets.forEach(Object.freeze);
    const msg = event(8, { event: "ticket_called", services: [{ code: "KTP", waiting: 1 }],
      counters: [{ ...s.counters[1], state: "open" }], call: call("A-002"),
      ticket: staffTicket("t2", "A-002", "called") });
    const before = clone(s);
    const { state } = applyMessage(s, msg);
    assert.deepEqual(s, before);
    assert.notEqual(state, s);
    for (const key of ["services", "counters", "recent_calls", "tickets"]) {
      assert.notEqual(state[key], s[key], key);
    }
  });

  test("a snapshot's state is not the message object", () => {
    const msg = { type: "snapshot", ...publicSnapshot(1) };
    const { state } = applyMessage(null, msg);
    assert.notEqual(state, msg);
    assert.equal(msg.type, "snapshot");
  });
});
