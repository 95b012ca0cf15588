"""The SKM survey: once per finished ticket, from the phone or the counter's tablet; the IKM
for supervisors, and the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from queue_server.domain import skm
from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"


def served(client: TestClient, officer: dict[str, str], service: str = "A") -> dict[str, Any]:
    """A ticket taken, called to counter 1 and finished."""
    ticket: dict[str, Any] = client.post(
        f"{OFFICE}/tickets", json={"service": service}, headers=officer
    ).json()
    client.post(f"{OFFICE}/tickets/{ticket['token']}/call", json={"counter": 1}, headers=officer)
    client.post(f"{OFFICE}/tickets/{ticket['token']}/finish", headers=officer)
    return ticket


def supervisor(client: TestClient) -> dict[str, str]:
    admin = login(client, "admin", ADMIN_PASSWORD)
    body = {
        "username": "kasi",
        "password": "pelayanan-prima-7",
        "role": "supervisor",
        "office": "winongan",
    }
    assert client.post("/api/v1/users", json=body, headers=admin).status_code == 201
    return login(client, "kasi", "pelayanan-prima-7")


def test_once_per_finished_ticket(client: TestClient) -> None:
    officer = login(client, "petugas1")
    client.post(f"{OFFICE}/counters/1/open", headers=officer)
    waiting = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=officer).json()
    answer = {"scores": [4] * 9}
    early = client.post(f"/api/v1/tickets/{waiting['token']}/survey", json=answer)
    assert early.status_code == 409 and early.json()["code"] == "survey_not_yet"
    ticket = served(client, officer)
    url = f"/api/v1/tickets/{ticket['token']}/survey"
    assert client.post(url, json={"scores": [4] * 8}).status_code == 422
    assert client.post(url, json={"scores": [5] * 9}).status_code == 422
    assert client.post(url, json={"scores": [4] * 9, "sex": "X"}).status_code == 422
    ok = client.post(
        url, json={"scores": [3, 4, 3, 4, 3, 4, 3, 4, 3], "age_group": "60+", "sex": "P"}
    )
    assert ok.status_code == 201
    again = client.post(url, json=answer)
    assert again.status_code == 409 and again.json()["code"] == "survey_answered"
    assert client.post("/api/v1/tickets/tidak-ada/survey", json=answer).status_code == 404


def test_ikm_for_supervisors_matches_the_answers(client: TestClient) -> None:
    officer = login(client, "petugas1")
    client.post(f"{OFFICE}/counters/1/open", headers=officer)
    answers = [
        [4, 4, 3, 4, 3, 4, 4, 3, 3],
        [3, 3, 3, 4, 3, 3, 4, 3, 2],
        [4, 4, 4, 4, 4, 4, 4, 4, 4],
    ]
    for scores, service in zip(answers, "AAC", strict=True):
        ticket = served(client, officer, service)
        client.post(
            f"/api/v1/tickets/{ticket['token']}/survey", json={"scores": scores, "education": "SMA"}
        )
    params = {"from": "2026-11-01", "to": "2026-11-30"}
    assert client.get(f"{OFFICE}/skm", params=params, headers=officer).status_code == 403
    report = client.get(f"{OFFICE}/skm", params=params, headers=supervisor(client)).json()
    expected = skm.index(answers)
    assert report["respondents"] == 3 and Decimal(report["ikm"]) == expected.ikm
    assert report["grade"] == expected.grade
    assert (
        report["services"]["A"]["respondents"] == 2 and report["services"]["C"]["ikm"] == "100.00"
    )
    assert report["profile"]["education"] == {"SMA": 3}
    outside = client.get(f"{OFFICE}/skm", params={"from": "2026-10-01", "to": "2026-10-31"},
                         headers=supervisor_token(client)).json()  # fmt: skip
    assert outside["respondents"] == 0 and outside["ikm"] is None


def supervisor_token(client: TestClient) -> dict[str, str]:
    return login(client, "kasi", "pelayanan-prima-7")


def test_pages(client: TestClient) -> None:
    officer = login(client, "petugas1")
    client.post(f"{OFFICE}/counters/1/open", headers=officer)
    ticket = served(client, officer)
    page = client.get(f"/s/{ticket['token']}")
    assert page.status_code == 200 and "Persyaratan" in page.text and "Sangat baik" in page.text
    assert "Isi survei kepuasan" in client.get(f"/t/{ticket['token']}").text
    counter = device(client, "counter", name="tablet", counter=1)["Authorization"].split()[1]
    client.cookies.set("antrean_session", counter)
    tablet = client.get("/survei/1")
    assert tablet.status_code == 200 and ticket["number"] in tablet.text
    sent = client.post(f"/api/v1/tickets/{ticket['token']}/survey", json={"scores": [4] * 9},
                       headers={"X-Requested-With": "antrean-survey"})  # fmt: skip
    assert sent.status_code == 201
    assert "Belum ada pengunjung" in client.get("/survei/1").text  # answered: wait for the next
    assert client.get("/survei/2", follow_redirects=False).status_code == 303  # not its counter
    client.cookies.set("antrean_session", supervisor(client)["Authorization"].split()[1])
    recap = client.get("/laporan/skm?start=2026-11-01&end=2026-11-30")
    assert recap.status_code == 200
    assert 'id="ikm">100.00<' in recap.text and "A (Sangat Baik)" in recap.text
    semester = client.get("/laporan/skm")  # this month by default, with the usual periods
    assert "Semester II 2026" in semester.text and "Triwulan IV 2026" in semester.text
    assert "start=2026-07-01&amp;end=2026-12-31" in semester.text
    second = client.get("/laporan/skm?start=2026-07-01&end=2026-12-31")
    assert 'aria-current="page">Semester II 2026<' in second.text
    assert 'id="ikm">100.00<' in second.text  # the semester holds the one response
