// antrean-text.js: the helpers that fill the page's translated texts.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  aheadText,
  disruptionOf,
  disruptionText,
  estimateText,
  fill,
} from "../../../queue_server/web/static/js/antrean-text.js";

const T = {
  ahead: "{n} orang di depan Anda",
  ahead_none: "Tidak ada antrean di depan Anda",
  estimate: "Perkiraan menunggu {low}–{high} menit",
  estimate_upto: "Perkiraan menunggu paling lama {high} menit",
  estimate_soon: "Segera dipanggil",
};

test("fill replaces known names and keeps unknown ones", () => {
  assert.equal(fill("Loket {n}, {x}", { n: 3 }), "Loket 3, {x}");
  assert.equal(fill("{a}{a}", { a: 0 }), "00");
});

test("people ahead", () => {
  assert.equal(aheadText(T, 3), "3 orang di depan Anda");
  assert.equal(aheadText(T, 0), "Tidak ada antrean di depan Anda");
});

test("the wait is a range, an upper bound, or soon", () => {
  assert.equal(estimateText(T, { low: 5, high: 10 }), "Perkiraan menunggu 5–10 menit");
  assert.equal(estimateText(T, { low: 0, high: 8 }), "Perkiraan menunggu paling lama 8 menit");
  assert.equal(estimateText(T, { low: 0, high: 0 }), "Segera dipanggil");
  assert.equal(estimateText(T, null), "Segera dipanggil");
});

const D = {
  down_service: "Layanan {service} sedang terganggu: {reason}.",
  down_office: "Semua layanan sedang terganggu: {reason}.",
  down_until: "Perkiraan pulih pukul {time}.",
  down_unknown: "Waktu pulih belum diketahui.",
  reason_listrik: "listrik padam",
  reason_lainnya: "gangguan teknis",
};

test("a disruption's notice names the service, the reason and the expected end", () => {
  const own = { service: "A", reason: "listrik", note: "", until: "10:30" };
  assert.equal(disruptionText(D, own, "KTP"), "Layanan KTP sedang terganggu: listrik padam. Perkiraan pulih pukul 10:30.");
  const all = { service: null, reason: "lainnya", note: "server rusak", until: null };
  assert.equal(disruptionText(D, all, ""), "Semua layanan sedang terganggu: gangguan teknis (server rusak). Waktu pulih belum diketahui.");
});

test("a service's own disruption comes before an office-wide one", () => {
  const all = { service: null }, own = { service: "A" };
  assert.equal(disruptionOf([all, own], "A"), own);
  assert.equal(disruptionOf([all, own], "B"), all);
  assert.equal(disruptionOf([], "A"), null);
  assert.equal(disruptionOf(undefined, "A"), null);
});
