// Staff sign in: the session cookie is set by POST /api/v1/auth/login, then on to the page.
const config = JSON.parse(document.getElementById("login-config").textContent);
const form = document.getElementById("login-form");
const error = document.getElementById("login-error");

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  error.textContent = "";
  try {
    const res = await fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept-Language": config.lang },
      body: JSON.stringify({
        username: document.getElementById("username").value.trim(),
        password: document.getElementById("password").value,
      }),
    });
    if (res.ok) {
      window.location.assign(config.next);
      return;
    }
    const body = await res.json().catch(() => null);
    error.textContent = (body && body.messages && body.messages[config.lang]) || config.text.failed;
  } catch {
    error.textContent = config.text.failed;
  }
});
