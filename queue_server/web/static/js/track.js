// The visitor's phone page: follows one ticket live; when it is called, shows the counter very
// large, vibrates and chimes (where the browser allows). Texts come from #track-config.
import { LiveConnection, renderStatusBanner } from "/static/js/antrean-live.js";
import { aheadText, disruptionOf, disruptionText, estimateText, fill } from "/static/js/antrean-text.js";

const config = JSON.parse(document.getElementById("track-config").textContent);
const T = config.text;
const $ = (id) => document.getElementById(id);
const OPEN = ["waiting", "called", "on_hold", "missed"];
const WAITING = ["waiting", "on_hold", "missed"];

let last = null; // the ticket as last shown
let down = null; // the disruption stopping the ticket's service now, if any
let audio = null; // an AudioContext, once the visitor allowed sound

function render(ticket) {
  const status = ticket.status;
  document.body.className = `track status-${status}`;
  $("number").textContent = ticket.number;
  const booked = status === "on_hold" && ticket.due; // checked in before the booked time
  $("status").textContent = booked
    ? fill(T.status_booked, { time: ticket.due })
    : fill(T[`status_${status}`] ?? status, { counter: ticket.counter ?? "" });
  const big = $("counter-big");
  big.hidden = !(status === "called" || status === "serving");
  big.textContent = ticket.counter ?? "";
  const waiting = WAITING.includes(status);
  $("ahead").hidden = !waiting;
  $("estimate").hidden = !waiting;
  if (waiting) {
    $("ahead").textContent = aheadText(T, ticket.ahead);
    // No wait is promised while the service is down: the line does not move then.
    $("estimate").textContent = down ? T.estimate_paused : estimateText(T, ticket.estimate_minutes);
  }
  $("cancel").hidden = !OPEN.includes(status);
  $("survey-link").hidden = status !== "done";
  $("sound").hidden = !OPEN.includes(status);

  const calledNow =
    status === "called" &&
    (last === null || last.status !== "called" || ticket.recall_count > last.recall_count);
  if (calledNow && last !== null) alertVisitor();
  last = ticket;
}

function alertVisitor() {
  const state = $("state");
  state.classList.remove("flash");
  void state.offsetWidth; // restart the animation
  state.classList.add("flash");
  if (navigator.vibrate) navigator.vibrate([400, 200, 400, 200, 400]);
  chime();
}

function chime() {
  if (!audio) return;
  const start = audio.currentTime + 0.05;
  [660, 880, 660].forEach((frequency, i) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + i * 0.35);
    gain.gain.exponentialRampToValueAtTime(0.4, start + i * 0.35 + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + i * 0.35 + 0.3);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + i * 0.35);
    osc.stop(start + i * 0.35 + 0.32);
  });
}

function enableSound() {
  // Browsers only allow sound after a tap: this tap unlocks it and plays the chime once.
  const Context = window.AudioContext || window.webkitAudioContext;
  if (Context && !audio) audio = new Context();
  if (audio && audio.state === "suspended") audio.resume();
  const button = $("sound");
  button.setAttribute("aria-pressed", "true");
  button.querySelector("span").textContent = T.sound_on;
  chime();
}

async function cancelTicket() {
  $("confirm").close();
  $("error").textContent = "";
  try {
    const res = await fetch(`/api/v1/tickets/${encodeURIComponent(config.token)}/cancel`, {
      method: "POST",
      headers: { "Accept-Language": config.lang },
    });
    if (res.ok) {
      render({ ...last, ...(await res.json()).ticket });
      return;
    }
    const body = await res.json().catch(() => null);
    $("error").textContent = (body && body.messages && body.messages[config.lang]) || T.cancel_failed;
  } catch {
    $("error").textContent = T.cancel_failed;
  }
}

// The notice while the ticket's service (or the whole office) is disrupted.
let service = { code: config.ticket.service, name: null };
function renderDisruption(disruptions) {
  down = disruptionOf(disruptions, service.code);
  $("disruption").hidden = !down;
  $("disruption-text").textContent = down
    ? `${disruptionText(T, down, service.name ?? document.querySelector(".ticket .service").textContent)} ${T.down_keep}`
    : "";
  if (last !== null) render(last); // the wait estimate, paused or back
}

render(config.ticket);
renderDisruption(config.disruptions);
$("sound").addEventListener("click", enableSound);
$("cancel").addEventListener("click", () => $("confirm").showModal());
$("confirm-no").addEventListener("click", () => $("confirm").close());
$("confirm-yes").addEventListener("click", cancelTicket);
new LiveConnection({
  url: `/ws/v1/offices/${encodeURIComponent(config.office)}?role=track&ticket=${encodeURIComponent(config.token)}`,
  onState: (state) => {
    if (state.ticket) {
      render(state.ticket);
      const names = state.ticket.service_name;
      service = { code: state.ticket.service, name: names ? names[config.lang] ?? names.id : null };
    }
    if (state.disruptions) renderDisruption(state.disruptions);
  },
  onStatus: (status) => renderStatusBanner($("live-status"), status, T),
});
