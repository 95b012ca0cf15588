// antrean-text.js: the helpers that fill the page's translated texts.
import assert from "node:assert/strict";
import { test } from "node:test";

import { aheadText, estimateText, fill } from "../../../queue_server/web/static/js/antrean-text.js";

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
