// The supervisor's disruptions page: mark, change the expected end, restore (one tap each);
// the page is drawn by the server, so after each change it loads again.
import { send } from "/static/js/staff-api.js";

const config = JSON.parse(document.getElementById("disruptions-config").textContent);
const T = config.text;
const api = `/api/v1/offices/${encodeURIComponent(config.office)}/disruptions`;
const $ = (id) => document.getElementById(id);

async function act(method, url, body) {
  const answer = await send(method, url, body, config.lang);
  if (answer.ok) {
    window.location.reload();
  } else {
    $("result").textContent = answer.message || T.failed;
  }
}

$("start-form").addEventListener("submit", (e) => {
  e.preventDefault();
  act("POST", api, {
    service: $("start-service").value || null,
    reason: $("start-reason").value,
    expected_end: $("start-end").value || null,
    note: $("start-note").value,
  });
});

for (const form of document.querySelectorAll("[data-expected]")) {
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const value = form.querySelector('input[name="expected_end"]').value;
    act("PATCH", `${api}/${form.dataset.expected}`, { expected_end: value || null });
  });
}

for (const button of document.querySelectorAll("[data-restore]")) {
  button.addEventListener("click", () => {
    if (window.confirm(T.confirm_restore)) act("POST", `${api}/${button.dataset.restore}/restore`);
  });
}
