"""Security headers: our pages allow only our own files; nothing frames them; no sniffing."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_pages_and_api_answers_carry_the_security_headers(client: TestClient) -> None:
    for path in ("/masuk", "/kiosk", "/display", "/api/v1/offices/winongan/snapshot", "/nope"):
        answer = client.get(path, follow_redirects=False)
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, path
        assert "frame-ancestors 'none'" in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"


def test_the_developer_api_pages_are_left_without_the_policy(client: TestClient) -> None:
    docs = client.get("/docs")  # Swagger UI: an inline start-up script, for developers only
    assert docs.status_code == 200
    assert "content-security-policy" not in docs.headers
    assert docs.headers["x-content-type-options"] == "nosniff"
    assert "cdn" not in docs.text.lower() and "https://" not in docs.text  # nothing from outside
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
        assert client.get(f"/static/vendor/swagger-ui-5.35.0/{asset}").status_code == 200
    assert client.get("/redoc").status_code == 404  # ReDoc only came from a CDN: gone


def test_nul_characters_are_refused_wherever_they_come(client: TestClient) -> None:
    login = client.post("/api/v1/auth/login", json={"username": "a\x00b", "password": "x"})
    assert login.status_code == 422 and login.json()["code"] == "invalid_request"
    for path in ("/api/v1/offices/win%00ongan", "/api/v1/tickets/abc?x=%00", "/t/a%00b"):
        answer = client.get(path)
        assert answer.status_code == 422, path
        assert answer.json()["messages"]["id"]
