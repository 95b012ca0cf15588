"""The print agent prints the office logo a job carries (base64), and a garbled one is left off
rather than the ticket."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from pathlib import Path
from typing import Any

from PIL import Image

from printer.agent import Agent, Journal
from printer.backends import FakePrinter
from printer.layout import PAPER_58
from printer.layout import Image as LogoElement


class _Socket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))


def _job(job_id: str, **extra: Any) -> dict[str, Any]:
    ticket = {"office_name": "Kantor", "service_name": "KTP", "number": "A0015",
              "issued_at": "2026-11-23T02:00:00+00:00", "timezone": "Asia/Jakarta",
              "language": "id", **extra}  # fmt: skip
    return {"id": job_id, "reprint": False, "ticket": ticket}


def _print(tmp_path: Path, job: dict[str, Any]) -> tuple[FakePrinter, _Socket]:
    printer, socket = FakePrinter(), _Socket()
    agent = Agent("http://x", "t", printer, Journal(tmp_path / "journal.jsonl"), PAPER_58)
    asyncio.run(agent.handle(socket, job))
    return printer, socket


def test_the_logo_in_a_job_is_printed(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("L", (120, 40), 0).save(out, format="PNG")
    encoded = base64.b64encode(out.getvalue()).decode()
    printer, socket = _print(tmp_path, _job("j1", office_logo=encoded))
    assert socket.sent == [{"type": "printed", "job": "j1"}]
    logos = [e for e in printer.documents[0] if isinstance(e, LogoElement)]
    assert len(logos) == 1 and logos[0].source == out.getvalue()


def test_a_job_without_a_logo_or_with_a_garbled_one_prints_without(tmp_path: Path) -> None:
    not_a_picture = base64.b64encode(b"GIF89a but not really").decode()
    for job in (_job("j2"), _job("j3", office_logo="not base64!"),
                _job("j4", office_logo=not_a_picture)):  # fmt: skip
        printer, socket = _print(tmp_path, job)
        assert socket.sent == [{"type": "printed", "job": job["id"]}]
        assert not any(isinstance(e, LogoElement) for e in printer.documents[0])


def test_a_booked_visitors_ticket_says_when_they_join_the_line(tmp_path: Path) -> None:
    from printer.layout import Text

    job = _job("j5", joins_at="2026-11-23T03:00:00+00:00", ahead=4, estimate_low=5,
               estimate_high=10)  # fmt: skip
    printer, socket = _print(tmp_path, job)
    assert socket.sent == [{"type": "printed", "job": "j5"}]
    lines = " ".join(e.text for e in printer.documents[0] if isinstance(e, Text))
    assert "masuk antrean pukul 10:00" in lines  # 03:00 UTC is 10:00 WIB
    assert "Perkiraan menunggu" not in lines and "Di depan Anda" not in lines


def test_the_agent_tells_the_server_what_it_understands() -> None:
    from printer.agent import PROTOCOL
    from queue_server.services.printing import AGENT_PROTOCOL

    assert PROTOCOL == AGENT_PROTOCOL  # raise both together when a field is added
