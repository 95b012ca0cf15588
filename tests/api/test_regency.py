"""Many offices on one server: the regency supervisor, the regency dashboard's figures, and the
public list of offices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from queue_server.clock import FrozenClock
from queue_server.services import regency
from queue_server.services.queue import QueueService
from tests.conftest import ADMIN_PASSWORD, device, login

PASSWORD = "pelayanan-prima-7"
SCORES = [4, 4, 4, 4, 3, 3, 3, 3, 4]


def _ok(response: Any) -> Any:
    assert 200 <= response.status_code < 300, response.text
    return response.json() if response.content else None


def add_office(client: TestClient, slug: str, name: str, *, remote: bool = False,
               counters: int = 2, **fields: Any) -> None:  # fmt: skip
    admin = login(client, "admin", ADMIN_PASSWORD)
    _ok(client.post("/api/v1/offices", json={"slug": slug, "name": name, **fields}, headers=admin))
    api = f"/api/v1/offices/{slug}"
    service = {"code": "A", "prefix": "A", "name_id": "Kartu Keluarga", "name_en": "Family card",
               "remote_allowed": remote}  # fmt: skip
    _ok(client.post(f"{api}/services", json=service, headers=admin))
    for n in range(1, counters + 1):
        _ok(client.post(f"{api}/counters", json={"number": n, "name": f"Loket {n}",
                                                 "services": ["A"]}, headers=admin))  # fmt: skip
    officer = {"username": f"petugas-{slug}", "password": PASSWORD, "role": "officer",
               "office": slug}  # fmt: skip
    _ok(client.post("/api/v1/users", json=officer, headers=admin))


def regency_supervisor(client: TestClient) -> dict[str, str]:
    admin = login(client, "admin", ADMIN_PASSWORD)
    made = _ok(client.post("/api/v1/users", json={"username": "kabid", "password": PASSWORD,
                                                  "role": "supervisor", "office": None},
                           headers=admin))  # fmt: skip
    assert made["office"] is None and made["role"] == "supervisor"
    return login(client, "kabid", PASSWORD)


def _session(client: TestClient, headers: dict[str, str]) -> None:
    client.cookies.clear()
    client.cookies.set("antrean_session", headers["Authorization"][7:])


def test_a_supervisor_without_an_office_sees_and_manages_every_office(client: TestClient) -> None:
    add_office(client, "sukorejo", "Kantor Kecamatan Sukorejo")
    kabid = regency_supervisor(client)
    slugs = {o["slug"] for o in _ok(client.get("/api/v1/offices", headers=kabid))}
    assert slugs == {"winongan", "sukorejo"}
    for slug in slugs:  # like each office's own supervisor
        _ok(client.patch(f"/api/v1/offices/{slug}", json={"ticker": "Selamat datang"},
                         headers=kabid))  # fmt: skip
        _ok(client.get(f"/api/v1/offices/{slug}/devices", headers=kabid))
        _ok(client.post(f"/api/v1/offices/{slug}/counters/1/open", headers=kabid))
    assert client.get("/api/v1/users", headers=kabid).status_code == 403  # users stay admins'
    _session(client, kabid)
    for path in ("/pengaturan/kantor", "/laporan", "/loket"):
        page = client.get(path, params={"office": "sukorejo"})
        assert page.status_code == 200 and "Kantor Kecamatan Sukorejo" in page.text, path
    settings = client.get("/pengaturan/kantor", params={"office": "winongan"}).text
    assert 'id="office-switch"' in settings and "/kabupaten" in settings
    assert "Kantor Kecamatan Winongan" in settings
    client.cookies.clear()


def test_an_officer_always_has_an_office(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    body = {"username": "tanpa-kantor", "password": PASSWORD, "role": "officer", "office": None}
    assert client.post("/api/v1/users", json=body, headers=admin).status_code == 422
    regency_supervisor(client)
    kabid = next(u for u in _ok(client.get("/api/v1/users", headers=admin))
                 if u["username"] == "kabid")  # fmt: skip
    demoted = client.patch(f"/api/v1/users/{kabid['id']}", json={"role": "officer"}, headers=admin)
    assert demoted.status_code == 422  # an officer of no office would see nothing, or everything


def _take(client: TestClient, office: str, kiosk: dict[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = _ok(
        client.post(f"/api/v1/offices/{office}/tickets", json={"service": "A"}, headers=kiosk)
    )
    return result


def test_summary_figures_per_office(
    client: TestClient, clock: FrozenClock, queue: QueueService
) -> None:
    add_office(client, "sukorejo", "Kantor Kecamatan Sukorejo")
    add_office(client, "grati", "Kantor Kecamatan Grati")
    admin = login(client, "admin", ADMIN_PASSWORD)
    kiosk = {"Authorization": "Bearer " + _ok(client.post(
        "/api/v1/offices/sukorejo/devices", json={"kind": "kiosk", "name": "k"}, headers=admin
    ))["token"]}  # fmt: skip
    officer = login(client, "petugas-sukorejo", PASSWORD)
    api = "/api/v1/offices/sukorejo"
    first, second = _take(client, "sukorejo", kiosk), _take(client, "sukorejo", kiosk)
    for _ in range(3):
        _take(client, "sukorejo", kiosk)
    _ok(client.post(f"{api}/counters/1/open", headers=officer))
    clock.advance(minutes=4)
    _ok(client.post(f"{api}/counters/1/call-next", headers=officer))  # first waited 4 min
    clock.advance(minutes=6)
    _ok(client.post(f"{api}/counters/1/call-next", headers=officer))  # second waited 10 min
    _ok(client.post(f"{api}/tickets/{second['token']}/finish", headers=officer))
    for ticket in (first, second):
        _ok(client.post(f"/api/v1/tickets/{ticket['token']}/survey", json={"scores": SCORES}))
    kiosk_a = device(client, "kiosk", name="k-a")
    _take(client, "winongan", kiosk_a)

    summary = _ok(client.get("/api/v1/regency/summary", headers=admin))
    rows = {row["slug"]: row for row in summary["offices"]}
    assert [row["slug"] for row in summary["offices"]] == ["grati", "sukorejo", "winongan"]
    sukorejo = rows["sukorejo"]
    assert sukorejo["waiting"] == 3 and sukorejo["served"] == 2  # call-next finished the first
    assert sukorejo["wait_avg_minutes"] == 7.0  # (4 + 10) / 2
    assert (sukorejo["counters_open"], sukorejo["counters"]) == (1, 2)
    # both answered 4,4,4,4,3,3,3,3,4: (4*5 + 3*4) / 9 * 25 = 88.89, grade A
    assert (sukorejo["ikm"], sukorejo["ikm_grade"], sukorejo["respondents"]) == ("88.89", "A", 2)
    assert sukorejo["report_url"] == "/laporan?office=sukorejo"
    grati = rows["grati"]
    assert grati["waiting"] == 0 and grati["wait_avg_minutes"] is None and grati["ikm"] is None
    assert grati["respondents"] == 0 and grati["counters_open"] == 0
    assert rows["winongan"]["waiting"] == 1

    # The IKM covers the last 30 service days: a month on, those two answers no longer count.
    days = {office_id: day + timedelta(days=30) for office_id, day in _days(queue).items()}
    with queue.db.read() as conn:
        assert regency.ikm_figures(conn, days) == {}
        days = {office_id: day + timedelta(days=29) for office_id, day in _days(queue).items()}
        assert [i.respondents for i in regency.ikm_figures(conn, days).values()] == [2]


def _days(queue: QueueService) -> dict[int, Any]:
    from queue_server.store.repository import offices

    with queue.db.read() as conn:
        ids = [
            int(i) for i in conn.execute(offices.select().with_only_columns(offices.c.id)).scalars()
        ]
    return {office_id: queue.read(office_id).service_date for office_id in ids}


def test_the_summary_is_for_those_who_see_every_office(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    _ok(client.post("/api/v1/users", json={"username": "kasi", "password": PASSWORD,
                                           "role": "supervisor", "office": "winongan"},
                    headers=admin))  # fmt: skip
    url = "/api/v1/regency/summary"
    assert client.get(url, headers=admin).status_code == 200
    assert client.get(url, headers=regency_supervisor(client)).status_code == 200
    assert client.get(url, headers=login(client, "kasi", PASSWORD)).status_code == 403
    assert client.get(url, headers=login(client, "petugas1")).status_code == 403
    assert client.get(url, headers=device(client, "display", name="tv")).status_code == 403
    assert client.get(url).status_code == 401


def test_dashboard_page(client: TestClient) -> None:
    add_office(client, "sukorejo", "Kantor Kecamatan Sukorejo")
    kabid = regency_supervisor(client)
    _session(client, kabid)
    for lang, heading in (("id", "Menunggu sekarang"), ("en", "Waiting now")):
        page = client.get("/kabupaten", params={"lang": lang})
        assert page.status_code == 200 and heading in page.text
        assert 'href="/laporan?office=sukorejo&amp;lang=' in page.text
        assert 'id="regency-config"' in page.text and "<script>" not in page.text
    admin = login(client, "admin", ADMIN_PASSWORD)
    _ok(client.post("/api/v1/users", json={"username": "kasi", "password": PASSWORD,
                                           "role": "supervisor", "office": "winongan"},
                    headers=admin))  # fmt: skip
    _session(client, login(client, "kasi", PASSWORD))
    own = client.get("/kabupaten", follow_redirects=False)  # one office's supervisor: their own
    assert own.status_code == 303 and own.headers["location"] == "/loket"
    client.cookies.clear()
    assert client.get("/kabupaten", follow_redirects=False).headers["location"].startswith("/masuk")


def test_public_list_least_busy_open_office_first(client: TestClient) -> None:
    add_office(client, "sukorejo", "Kantor Kecamatan Sukorejo", remote=True)
    add_office(client, "grati", "Kantor Kecamatan Grati", counters=1)
    admin = login(client, "admin", ADMIN_PASSWORD)
    # Grati is closed on Mondays (today, in the test's clock)
    hours = {str(d): {"opens": "08:00", "closes": "15:00"} for d in range(1, 5)}
    _ok(client.patch("/api/v1/offices/grati", json={"hours": hours}, headers=admin))
    kiosk = {"Authorization": "Bearer " + _ok(client.post(
        "/api/v1/offices/sukorejo/devices", json={"kind": "kiosk", "name": "k"}, headers=admin
    ))["token"]}  # fmt: skip
    for _ in range(4):
        _take(client, "sukorejo", kiosk)
    _ok(client.post("/api/v1/offices/sukorejo/counters/1/open",
                    headers=login(client, "petugas-sukorejo", PASSWORD)))  # fmt: skip
    kiosk_a = device(client, "kiosk", name="k-a")
    _take(client, "winongan", kiosk_a)  # one waiting, no counter open: 1 per counter
    client.app.state.board.forget()  # type: ignore[attr-defined]

    listed = _ok(client.get("/api/v1/offices-public"))
    assert [o["slug"] for o in listed] == ["winongan", "sukorejo", "grati"]
    winongan, sukorejo, grati = listed
    assert (sukorejo["waiting"], sukorejo["counters_open"], sukorejo["status"]) == (4, 1, "open")
    assert sukorejo["services"] == [
        {"code": "A", "name": {"id": "Kartu Keluarga", "en": "Family card"}, "waiting": 4}
    ]
    assert sukorejo["remote_url"] == "/ambil/sukorejo"
    assert sukorejo["hours"] == {"opens": "00:00", "closes": "24:00"}
    assert grati["status"] == "closed" and grati["hours"] is None and grati["remote_url"] is None
    assert winongan["remote_url"] == "/ambil/winongan"  # the demo office takes remote tickets
    personal = {"token", "phone", "number", "officer", "nik", "tickets"}
    assert not personal & {key for office in listed for key in office}

    for lang, words in (("id", ("Buka sekarang", "Hari ini tutup", "orang menunggu")),
                        ("en", ("Open now", "Closed today", "waiting"))):  # fmt: skip
        page = client.get("/kantor", params={"lang": lang})
        assert page.status_code == 200
        assert all(w in page.text for w in words), lang
        order = [
            page.text.index(f'data-slug="{slug}"') for slug in ("winongan", "sukorejo", "grati")
        ]
        assert order == sorted(order)
        assert 'href="/ambil/sukorejo?lang=' in page.text and "/ambil/grati" not in page.text


@pytest.mark.parametrize("kind", ["officer", "display"])
def test_public_list_needs_no_sign_in_but_anyone_may_read_it(client: TestClient, kind: str) -> None:
    headers = login(client, "petugas1") if kind == "officer" else device(client, "display")
    assert client.get("/api/v1/offices-public", headers=headers).status_code == 200
    assert client.get("/kantor").status_code == 200
