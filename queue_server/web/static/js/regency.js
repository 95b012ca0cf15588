// The regency dashboard (/kabupaten): every office's figures, refreshed from
// /api/v1/regency/summary every few seconds, sortable by any column, the busiest marked.
import { fill } from "/static/js/antrean-text.js";
import { get } from "/static/js/staff-api.js";

const config = JSON.parse(document.getElementById("regency-config").textContent);
const T = config.text;
const table = document.getElementById("offices");
const body = table.tBodies[0];
const status = document.getElementById("updated");
let offices = config.offices;
let sortKey = "name";
let ascending = true;

/** The value a column sorts by; null (no figure yet) always sorts last. */
function value(office, key) {
  if (key === "name") return office.name.toLocaleLowerCase(config.lang);
  if (key === "ikm") return office.ikm === null ? null : Number(office.ikm);
  return office[key];
}

function compare(a, b) {
  const x = value(a, sortKey);
  const y = value(b, sortKey);
  if (x === y) return a.name.localeCompare(b.name, config.lang);
  if (x === null) return 1;
  if (y === null) return -1;
  return (x < y ? -1 : 1) * (ascending ? 1 : -1);
}

/** An office's cells as the server draws them. */
function cells(office) {
  return {
    waiting: String(office.waiting),
    wait_avg_minutes: office.wait_avg_minutes === null ? config.none : office.wait_avg_minutes.toFixed(1),
    counters_open: fill(T.of, { open: office.counters_open, all: office.counters }),
    served: String(office.served),
    ikm: office.ikm === null ? config.none : `${office.ikm} (${office.ikm_grade})`,
    respondents: office.ikm === null ? "" : fill(T.respondents, { n: office.respondents }),
  };
}

function render() {
  const rows = new Map([...body.rows].map((tr) => [tr.dataset.slug, tr]));
  if (rows.size !== offices.length || offices.some((o) => !rows.has(o.slug))) {
    location.reload(); // an office was added or removed: draw the table anew
    return;
  }
  const busiest = Math.max(0, ...offices.map((o) => o.waiting));
  for (const office of [...offices].sort(compare)) {
    const tr = rows.get(office.slug);
    const c = cells(office);
    for (const key of ["waiting", "wait_avg_minutes", "counters_open", "served"]) {
      tr.querySelector(`td[data-key="${key}"]`).textContent = c[key];
    }
    tr.querySelector('td[data-key="ikm"] .value').textContent = c.ikm;
    tr.querySelector('td[data-key="ikm"] .meta').textContent = c.respondents;
    const top = busiest > 0 && office.waiting === busiest;
    tr.classList.toggle("busiest", top);
    tr.querySelector(".busiest-mark").hidden = !top;
    body.appendChild(tr); // in sorted order
  }
  for (const th of table.tHead.rows[0].cells) {
    const sorted = th.dataset.key === sortKey;
    th.setAttribute("aria-sort", sorted ? (ascending ? "ascending" : "descending") : "none");
  }
}

async function refresh() {
  const data = await get("/api/v1/regency/summary");
  if (data === null) {
    status.textContent = T.failed;
    return;
  }
  offices = data.offices;
  render();
  const time = new Date().toLocaleTimeString(config.lang === "en" ? "en-GB" : "id-ID");
  status.textContent = fill(T.updated, { time });
}

for (const button of table.querySelectorAll("button.sort")) {
  button.addEventListener("click", () => {
    const key = button.dataset.key;
    // A new column starts with names A-Z and figures biggest first; a second click turns it.
    ascending = key === sortKey ? !ascending : key === "name";
    sortKey = key;
    render();
  });
}
render();
setInterval(refresh, config.refresh_seconds * 1000);
