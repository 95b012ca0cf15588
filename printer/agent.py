"""The print agent: runs on the kiosk PC, prints its kiosk's tickets, confirms every print.

    antrean-print-agent --server http://192.168.1.10:8000 --token TOKEN --printer usb:0x04b8:0x0202

It follows the server over a websocket, reconnecting by itself. A small journal on disk records
each job as `printing` before the printer is touched and `printed` after: a job the server sends
again (its confirmation was lost) is confirmed without printing twice; a job that was being
printed when the agent was killed is printed once more, marked as a reprint. SIGTERM lets the
job in hand finish first.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import io
import json
import logging
import os
import random
import signal
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image as PILImage
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from .backends import Printer, PrintError, from_spec
from .layout import PAPER_58, PAPER_80, Paper, TicketData, layout

log = logging.getLogger("antrean.print_agent")
# The print-job fields this agent understands (the server's printing.AGENT_PROTOCOL): 2 adds the
# office logo and a booked visitor's joins_at. Told to the server when connecting.
PROTOCOL = 2
PRINTING, PRINTED, FAILED = "printing", "printed", "failed"


class Journal:
    """Jobs this agent has handled, one JSON line each, flushed to disk before moving on."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.states: dict[str, str] = {}
        if path.exists():
            for line in path.read_text("utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self.states[entry["job"]] = entry["state"]
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a crash
        path.parent.mkdir(parents=True, exist_ok=True)

    def mark(self, job: str, state: str) -> None:
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"job": job, "state": state}) + "\n")
            out.flush()
            os.fsync(out.fileno())
        self.states[job] = state


def _logo(encoded: Any) -> bytes | None:
    """The office logo sent as base64; a garbled one is left off rather than the ticket."""
    if not encoded:
        return None
    try:
        data = base64.b64decode(str(encoded), validate=True)
        with PILImage.open(io.BytesIO(data)) as picture:
            picture.verify()
    except Exception:  # not base64, not a picture: Pillow refuses in many ways
        log.warning("the office logo in a print job is unreadable; printing without it")
        return None
    return data


class Agent:
    def __init__(self, server: str, token: str, printer: Printer, journal: Journal, paper: Paper):
        self.server = server.rstrip("/")
        self.token = token
        self.printer = printer
        self.journal = journal
        self.paper = paper
        self.stop = asyncio.Event()

    def _office(self) -> str:
        request = urllib.request.Request(
            f"{self.server}/api/v1/auth/me", headers={"Authorization": f"Bearer {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return str(json.load(response)["office"])

    async def run(self) -> None:
        backoff = 0.2
        while not self.stop.is_set():
            try:
                office = await asyncio.to_thread(self._office)
                base = self.server.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
                query = urllib.parse.urlencode(
                    {"role": "agent", "token": self.token, "protocol": PROTOCOL}
                )
                async with connect(f"{base}/ws/v1/offices/{office}?{query}") as ws:
                    log.info("connected to %s", self.server)
                    backoff = 0.2
                    await self._follow(ws)
            except (OSError, WebSocketException, ValueError, KeyError) as exc:
                if self.stop.is_set():
                    break
                log.warning("server unreachable (%s); retrying", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), random.uniform(0, backoff))
            backoff = min(backoff * 2, 5.0)

    async def _follow(self, ws: Any) -> None:
        while not self.stop.is_set():
            try:
                text = await asyncio.wait_for(ws.recv(), timeout=1.0)
            except TimeoutError:
                continue
            message = json.loads(text)
            if message.get("type") == "print":
                await self.handle(ws, message["job"])  # finishes even if SIGTERM arrives

    async def handle(self, ws: Any, job: dict[str, Any]) -> None:
        job_id = job["id"]
        state = self.journal.states.get(job_id)
        if state in (PRINTED, FAILED):
            await ws.send(json.dumps({"type": state, "job": job_id}))  # the answer was lost
            return
        reprint = bool(job.get("reprint")) or state == PRINTING
        self.journal.mark(job_id, PRINTING)
        fields = dict(job["ticket"])
        fields["issued_at"] = datetime.fromisoformat(fields["issued_at"])
        fields["office_logo"] = _logo(fields.get("office_logo"))
        if fields.get("joins_at"):
            fields["joins_at"] = datetime.fromisoformat(fields["joins_at"])
        document = layout(TicketData(**fields, reprint=reprint), self.paper)
        try:
            await asyncio.to_thread(self.printer.print_document, document)
        except PrintError as exc:
            self.journal.mark(job_id, FAILED)
            await ws.send(json.dumps({"type": FAILED, "job": job_id, "reason": exc.status.state}))
            return
        self.journal.mark(job_id, PRINTED)
        await ws.send(json.dumps({"type": PRINTED, "job": job_id}))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Antrean print agent (runs on the kiosk PC)")
    parser.add_argument("--server", required=True, help="e.g. http://192.168.1.10:8000")
    parser.add_argument("--token", default=os.environ.get("ANTREAN_AGENT_TOKEN"))
    parser.add_argument("--printer", required=True, help="usb:VID:PID, net:HOST[:PORT], ...")
    parser.add_argument("--paper", choices=("58", "80"), default="80")
    parser.add_argument("--journal", default=str(Path.home() / ".antrean" / "print-journal.jsonl"))
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("--token (or ANTREAN_AGENT_TOKEN) is required")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    agent = Agent(
        args.server,
        args.token,
        from_spec(args.printer),
        Journal(Path(args.journal)),
        PAPER_58 if args.paper == "58" else PAPER_80,
    )

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, agent.stop.set)
        await agent.run()

    asyncio.run(run())


if __name__ == "__main__":
    main()
