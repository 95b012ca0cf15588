"""Time from a kiosk's `POST /tickets` to the print agent's printer writing the ticket.

One `antrean serve` (SQLite) and one `antrean-print-agent` with a `dir:` printer (one file per
ticket, fsynced) run on this machine. Tickets are taken one at a time, `--gap` apart, as kiosks
do; each ticket's latency is the file's modification time minus the moment its request was
sent (same clock). Beside it, in the same run: the bare layout + ESC/POS render of the same
tickets in this process, the floor any printing design pays.

    python bench/print_latency.py [--tickets 500] [--gap 0.02] [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine, machine_markdown, percentile, write_section
from printer.escpos_render import render
from printer.layout import PAPER_80, TicketData, layout
from queue_server.testing import ServerProcess

SECTION = "print_latency"
OFFICE = "/api/v1/offices/winongan"
NUMBER = re.compile(rb"[A-D]\d{3,}")
TARGET_P95_MS = 300.0


def _post(url: str, body: Any, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _bare_render_ms(count: int) -> list[float]:
    """Lay out and render a typical ticket `count` times; milliseconds each."""
    times = []
    for i in range(count):
        ticket = TicketData(
            office_name="Kantor Kecamatan Winongan", service_name="Administrasi Kependudukan",
            number=f"A{i + 1:03d}", issued_at=datetime.now(UTC), timezone="Asia/Jakarta",
            ahead=i % 20, estimate_low=5, estimate_high=15,
            documents=("Surat pengantar RT/RW", "Fotokopi Kartu Keluarga (KK)"),
            tracking_url=f"http://127.0.0.1:8000/t/{'x' * 22}",
        )  # fmt: skip
        start = time.perf_counter()
        render(layout(ticket, PAPER_80))
        times.append((time.perf_counter() - start) * 1000)
    return times


def run(tickets: int, gap: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="antrean-print-bench-") as tmp:
        spool = Path(tmp) / "spool"
        with ServerProcess(f"sqlite:///{Path(tmp) / 'server.db'}") as server:
            admin = _post(server.url + "/api/v1/auth/login",
                          {"username": "admin", "password": "kunci-kantor-1"})  # fmt: skip
            kiosk = _post(server.url + f"{OFFICE}/devices", {"kind": "kiosk", "name": "K"},
                          admin["token"])  # fmt: skip
            agent_device = _post(server.url + f"{OFFICE}/devices",
                                 {"kind": "agent", "name": "P", "kiosk": kiosk["id"]},
                                 admin["token"])  # fmt: skip
            agent = subprocess.Popen(
                [sys.executable, "-m", "printer.agent", "--server", server.url,
                 "--token", agent_device["token"], "--printer", f"dir:{spool}",
                 "--journal", str(Path(tmp) / "journal.jsonl")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                time.sleep(1.0)  # the agent connects
                sent: dict[str, int] = {}
                for i in range(tickets):
                    started = time.time_ns()
                    ticket = _post(server.url + f"{OFFICE}/tickets",
                                   {"service": "ABCD"[i % 4]}, kiosk["token"])  # fmt: skip
                    sent[ticket["number"]] = started
                    time.sleep(gap)
                deadline = time.monotonic() + 60
                while len(list(spool.glob("*.escpos"))) < tickets and time.monotonic() < deadline:
                    time.sleep(0.05)
            finally:
                agent.terminate()
                agent.wait(timeout=20)
            latencies = []
            for path in spool.glob("*.escpos"):
                found = NUMBER.search(path.read_bytes())
                if found and found.group().decode() in sent:
                    written = path.stat().st_mtime_ns
                    latencies.append((written - sent[found.group().decode()]) / 1e6)
    latencies.sort()
    bare = sorted(_bare_render_ms(tickets))
    return {
        "tickets": tickets,
        "printed": len(latencies),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "max": latencies[-1] if latencies else float("nan"),
        "bare_p50": percentile(bare, 50),
        "bare_p95": percentile(bare, 95),
    }


def report(result: dict[str, Any], gap: float) -> str:
    verdict = (
        "PASS"
        if result["p95"] <= TARGET_P95_MS and result["printed"] == result["tickets"]
        else "MISS"
    )
    r = result
    row = f"| kiosk request -> printed | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} |"
    row += f" {r['printed']}/{r['tickets']} |"
    bare = f"| bare layout + render | {r['bare_p50']:.2f} | {r['bare_p95']:.2f} | | |"
    return f"""## Kiosk ticket to printed paper (`bench/print_latency.py`)

{result["tickets"]} tickets taken one at a time ({gap * 1000:.0f} ms apart) by a kiosk on
`antrean serve` (SQLite, 1 worker); `antrean-print-agent` with a `dir:` printer (one fsynced file
per ticket) on the same machine. Latency = the ticket file's modification time minus the moment
the kiosk sent its request. Bare = laying out and rendering the same kind of ticket to ESC/POS
in one process (the floor).

| | p50 ms | p95 ms | max ms | printed |
|---|---:|---:|---:|---:|
{row}
{bare}

Target p95 <= {TARGET_P95_MS:.0f} ms: **{verdict}**.

{machine_markdown(machine(("sqlite",)))}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--gap", type=float, default=0.02)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    result = run(args.tickets, args.gap)
    text = report(result, args.gap)
    print(text)
    if args.write:
        write_section(args.write if args.write.is_absolute() else ROOT / args.write, SECTION, text)
    sys.exit(0 if "PASS" in text else 1)


if __name__ == "__main__":
    main()
