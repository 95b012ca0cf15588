// The consultation desk's inbox: conversations by least time left (overdue marked), the open
// conversation's thread with its files, the visitor's tickets and bookings, replies (saved
// replies too), assignment, document reviews, closing. Polls every `refresh_seconds`.
import { fill } from "/static/js/antrean-text.js";
import { get, post } from "/static/js/staff-api.js";

const config = JSON.parse(document.getElementById("konsultasi-config").textContent);
const T = config.text;
const lang = config.lang;
const api = `/api/v1/offices/${encodeURIComponent(config.office)}`;
const $ = (id) => document.getElementById(id);
let current = null; // the open conversation's id
let saved = [];

const clock = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "id-ID", {
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: config.timezone,
});
const at = (iso) => clock.format(new Date(iso));

function span(seconds) {
  const minutes = Math.floor(Math.abs(seconds) / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h > 0 ? fill(T.hours, { h, m }) : fill(T.minutes, { m });
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function standing(c) {
  if (c.status === "closed") return { cls: "closed", text: T.closed };
  if (c.first_response_at) return { cls: "answered", text: c.waiting ? T.waiting : T.answered };
  if (c.seconds_left < 0) return { cls: "overdue", text: fill(T.overdue, { time: span(c.seconds_left) }) };
  return { cls: c.seconds_left < 3 * 3600 ? "soon" : "open", text: fill(T.left, { time: span(c.seconds_left) }) };
}

function inboxItem(c) {
  const li = el("li", standing(c).cls);
  li.dataset.conversation = c.id;
  const button = el("button");
  button.type = "button";
  if (c.id === current) button.setAttribute("aria-current", "true");
  const files = c.attachments ? ` · ${fill(T.files, { n: c.attachments })}` : "";
  button.append(
    el("span", "phone", c.phone),
    el("span", "left", standing(c).text),
    el("span", "preview", c.preview_kind === "attachment" ? fill(T.file_preview, { name: c.preview }) : c.preview),
    el("span", "meta", (c.assigned_to ? fill(T.assigned, { name: c.assigned_to }) : T.nobody) + files),
  );
  button.addEventListener("click", () => open(c.id));
  li.append(button);
  return li;
}

async function loadInbox() {
  const closed = $("show-closed").checked ? "?closed=true" : "";
  const list = await get(`${api}/conversations${closed}`);
  if (list === null) return;
  $("inbox").replaceChildren(...list.map(inboxItem));
  $("inbox-empty").hidden = list.length > 0;
}

function reviewBox(file) {
  const box = el("div", "file-review");
  if (file.review !== "none") {
    const verdict = el("span", `verdict-${file.review}`, T[file.review]);
    box.append(verdict);
    if (file.note) box.append(el("span", "note", file.note));
    return box;
  }
  box.append(el("span", "", T.none));
  const note = el("input");
  note.type = "text";
  note.maxLength = 300;
  note.placeholder = T.note;
  note.setAttribute("aria-label", T.note);
  const ok = el("button", "", T.complete);
  ok.type = "button";
  ok.dataset.review = "complete";
  const missing = el("button", "", T.incomplete);
  missing.type = "button";
  missing.dataset.review = "incomplete";
  for (const button of [ok, missing]) {
    button.addEventListener("click", async () => {
      if (button.dataset.review === "incomplete" && !note.value.trim()) {
        $("reply-status").textContent = T.note_needed;
        note.focus();
        return;
      }
      const res = await post(`${api}/attachments/${file.id}/review`,
        { review: button.dataset.review, note: note.value.trim() }, lang);
      $("reply-status").textContent = res.ok ? T.saved : res.message || T.failed;
      if (res.ok) await open(current);
    });
  }
  box.append(note, ok, missing);
  return box;
}

function message(m) {
  const li = el("li", `${m.direction} ${m.kind}`);
  if (m.kind === "ack" || m.kind === "reply" || m.kind === "review") {
    const who = m.author ? ` · ${m.author}` : "";
    li.append(el("strong", "", `${T[m.kind]}${who}`), document.createElement("br"));
  }
  if (m.attachment) {
    const file = m.attachment;
    const url = `${api}/attachments/${file.id}`;
    if (file.kept) {
      if (file.media_type.startsWith("image/")) {
        const img = el("img", "thumb");
        img.src = url;
        img.alt = file.filename;
        li.append(img);
      }
      const link = el("a", "download", `${T.download} ${file.filename}`);
      link.href = url;
      link.setAttribute("download", file.filename);
      li.append(link, reviewBox(file));
    } else {
      li.append(el("em", "", T.erased));
    }
  } else {
    li.append(document.createTextNode(m.body));
  }
  const failed = m.delivery === "failed" ? ` · ${T.delivery_failed}` : "";
  li.append(el("span", "when", at(m.at) + failed));
  return li;
}

async function open(id) {
  current = id;
  const c = await get(`${api}/conversations/${id}`);
  if (c === null) return;
  $("thread-pick").hidden = true;
  $("thread-body").hidden = false;
  $("thread-phone").textContent = c.phone;
  const due = $("thread-due");
  due.textContent = c.first_response_at ? "" : `${fill(T.due, { time: at(c.due_at) })} · ${standing(c).text}`;
  due.classList.toggle("overdue", c.overdue);
  $("thread-first").textContent = c.first_response_at
    ? fill(T.first_response, { name: c.first_responder, time: at(c.first_response_at) })
    : "";
  $("assign-to").value = c.assigned_to ?? "";
  const items = [
    ...c.tickets.map((t) => fill(T.ticket, { number: t.number, service: t.service, day: t.service_date, status: t.status })),
    ...c.bookings.map((b) => fill(T.booking, { code: b.code, day: b.day, slot: b.slot, status: b.status })),
  ];
  $("visitor-items").replaceChildren(...(items.length ? items : [T.no_tickets]).map((t) => el("li", "", t)));
  $("thread-earlier").textContent = c.earlier ? fill(T.earlier, { n: c.earlier }) : "";
  $("messages").replaceChildren(...c.messages.map(message));
  const closed = c.status === "closed";
  for (const id_ of ["reply-body", "assign-to", "assign-me", "close-conversation"]) $(id_).disabled = closed;
  document.querySelector("#reply-form button[type=submit]").disabled = closed;
  for (const b of document.querySelectorAll("#inbox button")) {
    if (b.parentElement.dataset.conversation === String(id)) b.setAttribute("aria-current", "true");
    else b.removeAttribute("aria-current");
  }
}

async function act(path, body) {
  const res = await post(`${api}/conversations/${current}/${path}`, body, lang);
  $("reply-status").textContent = res.ok ? T.saved : res.message || T.failed;
  if (res.ok) await Promise.all([open(current), loadInbox()]);
  return res.ok;
}

$("reply-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = $("reply-body").value.trim();
  if (!body || current === null) return;
  if (await act("reply", { body })) {
    $("reply-body").value = "";
    $("reply-status").textContent = T.sent;
  }
});
$("assign-to").addEventListener("change", () => act("assign", { officer: $("assign-to").value || null }));
$("assign-me").addEventListener("click", () => act("assign", { officer: config.me }));
$("close-conversation").addEventListener("click", () => {
  if (window.confirm(T.confirm_close)) act("close");
});
$("saved-replies").addEventListener("change", () => {
  const chosen = saved[Number($("saved-replies").value)];
  if (chosen) $("reply-body").value = chosen.body;
  $("saved-replies").value = "";
  $("reply-body").focus();
});
$("show-closed").addEventListener("change", loadInbox);

async function loadSaved() {
  saved = (await get(`${api}/saved-replies?lang=${lang}`)) ?? [];
  const select = $("saved-replies");
  select.replaceChildren(select.firstElementChild, ...saved.map((r, i) => {
    const option = el("option", "", r.title);
    option.value = String(i);
    return option;
  }));
}

await Promise.all([loadInbox(), loadSaved()]);
const first = new URLSearchParams(location.search).get("percakapan");
if (first) await open(Number(first));
setInterval(() => {
  loadInbox();
  if (current !== null && !document.activeElement?.closest("#thread")) open(current);
}, config.refresh_seconds * 1000);
