// Hand-made screen states and server messages for the JS client tests (shapes follow
// queue_server/domain/public.py and docs/realtime.md).

export function publicSnapshot(version = 7) {
  return {
    version,
    office: {
      slug: "kcp-depok",
      name: "KCP Depok",
      timezone: "Asia/Jakarta",
      service_date: "2024-11-22",
    },
    services: [
      { code: "KTP", prefix: "A", name: { id: "KTP-el", en: "E-ID card" }, active: true,
        waiting: 3 },
      { code: "KK", prefix: "B", name: { id: "Kartu Keluarga", en: "Family card" }, active: true,
        waiting: 0 },
    ],
    counters: [
      { number: 1, name: "Loket 1", state: "open", services: ["KTP"],
        serving: { number: "A-001", service: "KTP", status: "serving" } },
      { number: 2, name: "Loket 2", state: "closed", services: ["KK"], serving: null },
    ],
    recent_calls: [
      { number: "A-001", service: "KTP", counter: 1, at: "2024-11-22T08:01:00+07:00" },
    ],
  };
}

export function staffTicket(id, number, status = "waiting", extra = {}) {
  return {
    id,
    number,
    service: "KTP",
    status,
    priority_group: "regular",
    channel: "kiosk",
    issued_at: "2024-11-22T08:00:00+07:00",
    called_at: null,
    counter: null,
    officer: null,
    missed_count: 0,
    transferred_from: null,
    ...extra,
  };
}

export function counterSnapshot(version = 7) {
  return {
    ...publicSnapshot(version),
    tickets: [
      staffTicket("t1", "A-001", "serving", { counter: 1 }),
      staffTicket("t2", "A-002"),
      staffTicket("t3", "A-003"),
    ],
  };
}

export function trackTicket(ahead, status = "waiting") {
  return { number: "A-003", service: "KTP", status, ahead, estimate_minutes: ahead * 5 };
}

export function trackSnapshot(version = 7) {
  return { ...publicSnapshot(version), ticket: trackTicket(2) };
}

export function call(number, counter = 1, minute = 10) {
  return { number, service: "KTP", counter, at: `2024-11-22T08:${minute}:00+07:00` };
}

export function event(version, fields = {}) {
  return { type: "event", version, event: "ticket_issued", at: "2024-11-22T08:30:00+07:00",
    ...fields };
}

/** A deep copy, to prove inputs come back untouched. */
export function clone(value) {
  return JSON.parse(JSON.stringify(value));
}
