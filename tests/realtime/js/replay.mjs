// Replay server messages on a snapshot with the browser client's applyMessage; print the result.
//
//   node tests/realtime/js/replay.mjs FILE.json
//
// FILE.json is {"snapshot": {...}, "messages": [...]}. The snapshot may be a bare snapshot
// (queue_server.domain.public.snapshot()) or a `snapshot` message (its `type` is dropped).
// A message without `type` is taken as an `event`. Prints the final state as JSON on stdout.
// Exits 1 when an event does not follow on (a gap: the JS client would resync instead), 2 on
// bad input. Used by tests/realtime/test_js_client.py's js_replay().
import { readFileSync } from "node:fs";

import { applyMessage } from "../../../queue_server/web/static/js/antrean-live.js";

function main(argv) {
  if (argv.length !== 1) {
    process.stderr.write("usage: node replay.mjs FILE.json\n");
    return 2;
  }
  let input;
  try {
    input = JSON.parse(readFileSync(argv[0], "utf8"));
  } catch (error) {
    process.stderr.write(`cannot read ${argv[0]}: ${error.message}\n`);
    return 2;
  }
  const { snapshot, messages } = input ?? {};
  if (!snapshot || typeof snapshot !== "object" || !Array.isArray(messages)) {
    process.stderr.write("expected {\"snapshot\": {...}, \"messages\": [...]}\n");
    return 2;
  }
  let state = applyMessage(null, { ...snapshot, type: "snapshot" }).state;
  for (const [index, message] of messages.entries()) {
    const msg = message && typeof message === "object" && !("type" in message)
      ? { ...message, type: "event" }
      : message;
    const result = applyMessage(state, msg);
    if (result.gap) {
      process.stderr.write(
        `gap at message ${index}: version ${msg.version} after ${state.version}\n`);
      return 1;
    }
    state = result.state;
  }
  process.stdout.write(`${JSON.stringify(state)}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
