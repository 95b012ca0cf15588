// The small screen above a counter: its number and the ticket it serves now, live.
import { LiveConnection, renderStatusBanner } from "/static/js/antrean-live.js";

const config = JSON.parse(document.getElementById("cd-config").textContent);
const T = config.text;
const $ = (id) => document.getElementById(id);

function render(state) {
  const counter = (state.counters ?? []).find((c) => c.number === config.counter);
  if (counter && counter.name) $("cd-counter").textContent = counter.name;
  $("cd-number").textContent = counter && counter.serving ? counter.serving.number : "—";
  $("cd-state").textContent = counter ? T[`state_${counter.state}`] : "";
}

new LiveConnection({
  url: `/ws/v1/offices/${encodeURIComponent(config.office)}?role=counter`,
  onState: render,
  onUnauthorised: () => window.location.reload(), // revoked: back to pairing
  onStatus: (status) => renderStatusBanner($("live-status"), status, T),
});
