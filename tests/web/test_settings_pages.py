"""Settings pages (pengaturan): who may open them, and that each draws the office's settings."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_PASSWORD, login

TABS = ("kantor", "layanan", "loket", "perangkat", "suara", "pesan", "privasi", "pengguna")


def _session(client: TestClient, username: str, password: str) -> None:
    token = login(client, username, password)["Authorization"].split()[1]
    client.cookies.set("antrean_session", token)


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_draws_for_an_admin_in_both_languages(client: TestClient, tab: str) -> None:
    _session(client, "admin", ADMIN_PASSWORD)
    for lang, word in (("id", "Pengaturan"), ("en", "Settings")):
        page = client.get(f"/pengaturan/{tab}?office=winongan&lang={lang}")
        assert page.status_code == 200, page.text
        assert word in page.text
        assert 'id="admin-config"' in page.text


def test_officers_and_strangers_are_sent_to_sign_in(client: TestClient) -> None:
    for tab in TABS:
        assert client.get(f"/pengaturan/{tab}", follow_redirects=False).status_code == 303
    _session(client, "petugas1", "rahasia-demo-1")
    page = client.get("/pengaturan/kantor", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/masuk")


def test_supervisors_manage_their_office_but_not_users(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    body = {"username": "kasi", "password": "pelayanan-prima-7", "role": "supervisor",
            "office": "winongan"}  # fmt: skip
    assert client.post("/api/v1/users", json=body, headers=admin).status_code == 201
    _session(client, "kasi", "pelayanan-prima-7")
    page = client.get("/pengaturan/layanan")
    assert page.status_code == 200 and "/pengaturan/pengguna" not in page.text
    users = client.get("/pengaturan/pengguna", follow_redirects=False)
    assert users.status_code == 303 and users.headers["location"] == "/pengaturan/kantor"
