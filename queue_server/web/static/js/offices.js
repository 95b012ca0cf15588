// The public list of offices (/kantor): counts, hours and order refreshed from
// /api/v1/offices-public every 30 s while the page is in view, least busy open office first.
import { fill } from "/static/js/antrean-text.js";

const config = JSON.parse(document.getElementById("offices-config").textContent);
const T = config.text;
const list = document.getElementById("offices");
const status = document.getElementById("updated");

function hoursText(hours) {
  return hours === null ? T.closed_today : fill(T.hours, hours);
}

function render(offices) {
  const items = new Map([...list.children].map((li) => [li.dataset.slug, li]));
  if (items.size !== offices.length || offices.some((o) => !items.has(o.slug))) {
    location.reload(); // an office was added or removed: draw the list anew
    return;
  }
  for (const office of offices) {
    const li = items.get(office.slug);
    li.classList.remove("status-open", "status-break", "status-closed");
    li.classList.add(`status-${office.status}`);
    li.querySelector('[data-part="status"]').textContent = T[`status_${office.status}`];
    li.querySelector('[data-part="waiting"]').textContent = String(office.waiting);
    li.querySelector('[data-part="counters"]').textContent = fill(T.counters_open, { n: office.counters_open });
    li.querySelector('[data-part="hours"]').textContent = hoursText(office.hours);
    for (const service of office.services) {
      const row = li.querySelector(`[data-service="${CSS.escape(service.code)}"] .n`);
      if (row) row.textContent = String(service.waiting);
    }
    list.appendChild(li); // in the server's order: least busy first
  }
}

async function refresh() {
  if (document.hidden) return; // a phone in a pocket asks nothing
  try {
    const res = await fetch("/api/v1/offices-public", { cache: "no-store" });
    if (!res.ok) throw new Error(String(res.status));
    render(await res.json());
    const time = new Date().toLocaleTimeString(config.lang === "en" ? "en-GB" : "id-ID");
    status.textContent = fill(T.updated, { time });
  } catch {
    status.textContent = T.failed;
  }
}

setInterval(refresh, config.refresh_seconds * 1000);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) refresh();
});
