"""An office's own settings through the API: date-range schedules, number digits, retention,
rate limits; what OfficeOut shows of them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_PASSWORD, device, login

OFFICE = "/api/v1/offices/winongan"
SHORT = {"opens": "08:00", "closes": "12:00"}


def _patch(client: TestClient, body: dict[str, Any]) -> Any:
    return client.patch(OFFICE, json=body, headers=login(client, "admin", ADMIN_PASSWORD))


def test_office_out_shows_every_setting_with_the_server_defaults(client: TestClient) -> None:
    got = client.get(OFFICE, headers=login(client, "admin", ADMIN_PASSWORD)).json()
    assert got["schedules"] == []
    assert got["number_digits"] == 3
    assert got["retention_days"] is None and got["retention_default"] == 30
    assert got["limits"] == {}
    assert set(got["limit_defaults"]) == {
        "tickets_device", "tickets_address", "chat_phone", "survey_address", "track_address"
    }  # fmt: skip
    assert got["has_logo"] is False


def test_a_ramadan_schedule_closes_the_office_outside_its_hours(client: TestClient) -> None:
    # The test clock is 09:00 WIB on Monday 23 November 2026.
    schedule = {"name": "Ramadan", "start": "2026-11-20", "end": "2026-11-23",
                "hours": {"0": {"opens": "10:00", "closes": "14:00"}}}  # fmt: skip
    changed = _patch(client, {"schedules": [schedule]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["schedules"] == [
        {"name": "Ramadan", "start": "2026-11-20", "end": "2026-11-23",
         "hours": {"0": {"opens": "10:00", "closes": "14:00", "last_ticket": None,
                         "breaks": []}}}
    ]  # fmt: skip
    kiosk = device(client, "kiosk")
    refused = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk)
    assert refused.status_code == 409 and refused.json()["code"] == "office_closed"
    assert "10:00" in refused.json()["message"]
    # Moved to end yesterday: the office's own hours (all day) again.
    schedule["end"] = "2026-11-22"
    assert _patch(client, {"schedules": [schedule]}).status_code == 200
    assert client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).status_code == 201


@pytest.mark.parametrize(
    "schedules",
    [
        [{"name": "x", "start": "2026-03-10", "end": "2026-03-01"}],  # ends before it starts
        [{"name": "x", "start": "2026-02-30", "end": "2026-03-01"}],  # no such date
        [{"name": "x", "start": "2026-3-1", "end": "2026-03-01"}],
        [{"name": "x", "start": "2026-03-01", "end": "2026-03-02", "hours": {"7": SHORT}}],
        [{"name": "x", "start": "2026-03-01", "end": "2026-03-02",
          "hours": {"1": {"opens": "25:00"}}}],
        [{"name": "x", "start": "2026-03-01", "end": "2026-03-02",
          "hours": {"1": {"opens": "08:00", "breaks": [["12:00", "99:00"]]}}}],
        [{"name": "", "start": "2026-03-01", "end": "2026-03-02"}],
        [{"name": "a", "start": "2026-03-01", "end": "2026-03-10"},
         {"name": "b", "start": "2026-03-10", "end": "2026-03-20"}],  # share 10 March
        [{"name": "x", "start": "2026-03-01", "end": "2026-03-02"}] * 51,
    ],
)  # fmt: skip
def test_bad_schedules_are_refused_and_nothing_changes(
    client: TestClient, schedules: list[dict[str, Any]]
) -> None:
    refused = _patch(client, {"schedules": schedules})
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_request"
    assert (
        client.get(OFFICE, headers=login(client, "admin", ADMIN_PASSWORD)).json()["schedules"] == []
    )


def test_four_digit_numbers(client: TestClient) -> None:
    assert _patch(client, {"number_digits": 4}).json()["number_digits"] == 4
    kiosk = device(client, "kiosk")
    ticket = client.post(f"{OFFICE}/tickets", json={"service": "A"}, headers=kiosk).json()
    assert ticket["number"] == "A0001"
    for bad in (2, 5, "x"):
        assert _patch(client, {"number_digits": bad}).status_code == 422


def test_retention_days_set_and_back_to_the_default(client: TestClient) -> None:
    assert _patch(client, {"retention_days": 7}).json()["retention_days"] == 7
    assert _patch(client, {"name": "Kantor"}).json()["retention_days"] == 7  # left alone
    back = _patch(client, {"retention_days": None}).json()
    assert back["retention_days"] is None and back["retention_default"] == 30
    for bad in (0, 3651, "x"):
        assert _patch(client, {"retention_days": bad}).status_code == 422


def test_limits_are_checked_keys_and_notation(client: TestClient) -> None:
    got = _patch(client, {"limits": {"tickets_device": "2/minute", "chat_phone": "5/10minutes"}})
    assert got.status_code == 200, got.text
    assert got.json()["limits"] == {"chat_phone": "5/10minutes", "tickets_device": "2/minute"}
    for bad in (
        {"login_user": "5/minute"},  # not an office's to change
        {"tickets_device": "lots"},
        {"tickets_device": "0/minute"},
        {"tickets_device": "5/minute;100/hour"},
        {"tickets_device": "5/fortnight"},
        {"tickets_device": 5},
    ):
        refused = _patch(client, {"limits": bad})
        assert refused.status_code == 422, bad
    assert _patch(client, {"limits": {}}).json()["limits"] == {}


def test_a_new_office_takes_its_settings(client: TestClient) -> None:
    admin = login(client, "admin", ADMIN_PASSWORD)
    made = client.post(
        "/api/v1/offices",
        json={"slug": "grati", "name": "Kecamatan Grati", "number_digits": 4,
              "retention_days": 14, "limits": {"track_address": "100/minute"},
              "schedules": [{"name": "Ramadan", "start": "2027-02-08", "end": "2027-03-09",
                             "hours": {"0": SHORT}}]},
        headers=admin,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    out = made.json()
    assert (out["number_digits"], out["retention_days"]) == (4, 14)
    assert out["limits"] == {"track_address": "100/minute"}
    assert out["schedules"][0]["hours"]["0"]["closes"] == "12:00"


def test_officers_see_the_settings_but_cannot_change_them(client: TestClient) -> None:
    officer = login(client, "petugas1")
    assert client.get(OFFICE, headers=officer).json()["number_digits"] == 3
    assert client.patch(OFFICE, json={"number_digits": 4}, headers=officer).status_code == 403


def test_changing_one_message_setting_keeps_the_gateway_and_its_secrets(
    client: TestClient, database: Any
) -> None:
    """A PATCH changes what it sends: the gateway (and its secrets), the office's own templates
    and the response target stay as they were, rather than going back to the defaults."""
    admin = login(client, "admin", ADMIN_PASSWORD)
    first = {"gateway": {"kind": "http", "url": "https://sms.example/send", "password": "rahasia-9",
                         "username": "antrean"},
             "templates": {"called": {"id": "Nomor {number} ke loket {counter}."}},
             "consultation": {"target_hours": 8, "count": "working"}}  # fmt: skip
    assert client.patch(OFFICE, json={"notify": first}, headers=admin).status_code == 200
    changed = client.patch(OFFICE, json={"notify": {"near_people": 5}}, headers=admin)
    assert changed.status_code == 200, changed.text
    shown = changed.json()["notify"]
    assert shown["near_people"] == 5
    assert shown["gateway"] == {"kind": "http", "url": "https://sms.example/send",
                                "password": "****", "username": "antrean"}  # fmt: skip
    assert shown["templates"] == first["templates"]
    assert shown["consultation"] == {"target_hours": 8, "count": "working"}
    from sqlalchemy import select

    from queue_server.store.repository import offices

    with database.read() as conn:
        stored = conn.execute(select(offices.c.notify).where(offices.c.slug == "winongan")).scalar()
    assert stored["gateway"]["password"] == "rahasia-9"  # the secret itself, not "****"
    off = client.patch(OFFICE, json={"notify": {"near_minutes": None}}, headers=admin)
    assert off.json()["notify"]["near_minutes"] is None  # sent as null: set to null
