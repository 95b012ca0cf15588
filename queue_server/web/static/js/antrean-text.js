// antrean-text.js: filling in the page's translated texts (rendered by the server's catalog,
// Indonesian first) — shared by the kiosk and the visitor's phone page. No browser globals.

/** `text` with each `{name}` replaced by `params[name]`; unknown names are left as they are. */
export function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

/** "3 orang di depan Anda" / "Tidak ada antrean di depan Anda" from the page's texts `T`. */
export function aheadText(T, ahead) {
  return ahead > 0 ? fill(T.ahead, { n: ahead }) : T.ahead_none;
}

/** The expected wait as a range (never false precision): "Perkiraan menunggu 5–10 menit". */
export function estimateText(T, estimate) {
  if (!estimate || estimate.high <= 0) return T.estimate_soon;
  return estimate.low > 0 ? fill(T.estimate, estimate) : fill(T.estimate_upto, estimate);
}

/**
 * A disruption's notice from the snapshot's `disruptions` item `d` and the page's texts `T`:
 * "Layanan KTP sedang terganggu: listrik padam. Perkiraan pulih pukul 10:30."
 * `serviceName` names `d.service` (office-wide disruptions have none).
 */
export function disruptionText(T, d, serviceName) {
  let reason = T[`reason_${d.reason}`] ?? d.reason;
  if (d.note) reason = `${reason} (${d.note})`;
  const head = d.service
    ? fill(T.down_service, { service: serviceName || d.service, reason })
    : fill(T.down_office, { reason });
  return `${head} ${d.until ? fill(T.down_until, { time: d.until }) : T.down_unknown}`;
}

/** The disruption that stops service `code` now, if any: its own first, then office-wide. */
export function disruptionOf(disruptions, code) {
  const all = disruptions ?? [];
  return all.find((d) => d.service === code) ?? all.find((d) => d.service === null) ?? null;
}
