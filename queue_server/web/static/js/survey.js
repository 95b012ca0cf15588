// The SKM survey (phone or counter-side tablet): nine elements rated 1-4, optional profile.
const config = JSON.parse(document.getElementById("survey-config").textContent);
const form = document.getElementById("survey-form");
const $ = (id) => document.getElementById(id);

if (form) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const data = new FormData(form);
    const scores = config.keys.map((key) => Number(data.get(key)));
    if (scores.some((s) => !s)) {
      $("survey-error").textContent = config.text.missing;
      return;
    }
    const profile = Object.fromEntries(
      ["age_group", "sex", "education", "occupation"].map((f) => [f, data.get(f) || null]),
    );
    let res = null;
    try {
      res = await fetch(`/api/v1/tickets/${encodeURIComponent(config.token)}/survey`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-Requested-With": "antrean-survey",
                   "Accept-Language": config.lang },
        body: JSON.stringify({ scores, ...profile }),
      });
    } catch {
      res = null;
    }
    if (res && (res.ok || res.status === 409)) {
      form.hidden = true;
      $("survey-thanks").hidden = false;
      $("survey-thanks").textContent = config.text.thanks;
      if (config.tablet) setTimeout(() => window.location.reload(), 8000); // the next visitor
      return;
    }
    const body = res ? await res.json().catch(() => null) : null;
    $("survey-error").textContent =
      (body && body.messages && body.messages[config.lang]) || config.text.failed;
  });
} else if (config.tablet) {
  setTimeout(() => window.location.reload(), 15000); // wait for the next finished visitor
}
