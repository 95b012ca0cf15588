"""The `antrean` command: serve, migrate, users, devices."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from queue_server.config import Settings

app = typer.Typer(
    help="Antrean: sistem antrean digital / digital queue system.", no_args_is_help=True
)
users_app = typer.Typer(help="Kelola pengguna / manage users.", no_args_is_help=True)
devices_app = typer.Typer(help="Kelola perangkat / manage devices.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(devices_app, name="devices")


def _migrate(settings: Settings) -> None:
    from migrations import upgrade

    upgrade(settings.database_url)


def _admin(settings: Settings):  # type: ignore[no-untyped-def]
    from queue_server.clock import SystemClock
    from queue_server.services.admin import Admin
    from queue_server.services.queue import QueueService
    from queue_server.store.db import Database

    return Admin(QueueService(Database(settings.database_url), SystemClock()))


def first_start(settings: Settings) -> list[str]:
    """Create the admin account and the demo office on an empty database; return what to tell."""
    from queue_server.services import demo
    from queue_server.services.auth import Role

    admin = _admin(settings)
    notes: list[str] = []
    try:
        if admin.count_users() == 0:
            password = settings.admin_password or secrets.token_urlsafe(12)
            admin.create_user(username="admin", password=password, role=Role.ADMIN, office_id=None)
            if settings.admin_password is None:
                notes.append(f"Akun admin dibuat / admin account created: admin / {password}")
        if settings.seed_demo and not admin.list_offices():
            office_id, password = demo.seed(admin, settings.demo_password)
            notes.append(
                "Kantor demo 'winongan' dibuat; petugas1..petugas4 / demo office created, "
                f"officers petugas1..petugas4, password: {password}"
            )
            notes.extend(_demo_kiosk(admin, office_id, settings.base_url()))
    finally:
        admin.db.dispose()
    return notes


# Where each kind of screen lives (queue_server/web/pairing.py serves their pairing pages).
SCREEN_PATHS = {"kiosk": "/kiosk", "display": "/display", "counter": "/loket-layar"}


def _demo_kiosk(admin, office_id: int, base_url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """A kiosk and its print agent for the demo office; say how to open and run them."""
    from queue_server.services.auth import DeviceKind

    kiosk_id, kiosk_token = admin.create_device(office_id, kind=DeviceKind.KIOSK, name="Kiosk demo")
    _agent_id, agent_token = admin.create_device(
        office_id, kind=DeviceKind.AGENT, name="Printer demo", kiosk_id=kiosk_id
    )
    _display_id, display_token = admin.create_device(
        office_id, kind=DeviceKind.DISPLAY, name="Layar ruang tunggu demo"
    )
    return [
        f"Kiosk demo / demo kiosk: {base_url}/kiosk/pair#token={kiosk_token}",
        f"Layar ruang tunggu / lobby display: {base_url}/display/pair#token={display_token}",
        "Printer demo (tiket ke folder ./tiket-demo) / demo printer (tickets to ./tiket-demo): "
        f"antrean-print-agent --server {base_url} --token {agent_token} "
        "--printer dir:tiket-demo --journal tiket-demo/journal.jsonl",
    ]


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Alamat / address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[int, typer.Option(help="Proses / worker processes (PostgreSQL)")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request")] = True,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Proksi tepercaya / proxies whose X-Forwarded-For is believed "
            "(default ANTREAN_FORWARDED_ALLOW_IPS: 127.0.0.1,::1)"
        ),
    ] = None,
) -> None:
    """Jalankan server / run the server (migrates and seeds the demo office on first start)."""
    import os

    import uvicorn

    # The app (and every worker) reads its settings from the environment.
    if host is not None:
        os.environ["ANTREAN_HOST"] = host
    if port is not None:
        os.environ["ANTREAN_PORT"] = str(port)
    if forwarded_allow_ips is not None:
        os.environ["ANTREAN_FORWARDED_ALLOW_IPS"] = forwarded_allow_ips
    settings = Settings()
    _migrate(settings)
    for note in first_start(settings):
        typer.echo(note)
    typer.echo(f"Antrean berjalan di / running at {settings.base_url()}  (API: /docs)")
    uvicorn.run(
        "queue_server.api.main:app",
        host=settings.host,
        port=settings.port,
        workers=workers,
        access_log=access_log,
        ws_per_message_deflate=settings.ws_compression,
        # Behind nginx the client's address comes from X-Forwarded-For, believed only from
        # these proxies (uvicorn takes the right-most address that is not one of them).
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level="info",
        factory=False,
    )


@app.command()
def migrate() -> None:
    """Perbarui skema basis data / bring the database schema up to date."""
    _migrate(Settings())
    typer.echo("ok")


@app.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Berkas cadangan / the backup file to write")],
) -> None:
    """Cadangkan seluruh basis data / back the whole database up to FILE (while running)."""
    from queue_server.store import backup as store_backup

    try:
        store_backup.backup(Settings().database_url, file)
    except store_backup.BackupError as failed:
        typer.echo(f"error: {failed}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"ok: {file}")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="Berkas cadangan / the backup file to read")],
    yes: Annotated[bool, typer.Option("--yes", help="Tanpa konfirmasi / do not ask")] = False,
) -> None:
    """Pulihkan basis data dari FILE / replace the database with a backup (stop Antrean first)."""
    from queue_server.store import backup as store_backup

    settings = Settings()
    if not yes:
        typer.confirm(
            "Semua data sekarang diganti isi cadangan / replace all current data with the backup?",
            abort=True,
        )
    try:
        store_backup.restore(settings.database_url, file)
    except store_backup.BackupError as failed:
        typer.echo(f"error: {failed}", err=True)
        raise typer.Exit(1) from None
    _migrate(settings)  # an older backup's schema is brought up to date
    typer.echo("ok")


@app.command()
def retention(
    days: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Hari / days to keep for offices without their own period "
            "(default ANTREAN_RETENTION_DAYS)",
        ),
    ] = None,
) -> None:
    """Hapus data pribadi lama / erase visitors' personal data past each office's retention
    period (its own, or the default)."""
    from datetime import UTC, datetime

    from queue_server.services.retention import erase_older_than
    from queue_server.store.db import Database

    settings = Settings()
    keep = days if days is not None else settings.retention_days
    database = Database(settings.database_url)
    try:
        with database.write() as conn:
            erased = erase_older_than(conn, datetime.now(UTC), keep)
    finally:
        database.dispose()
    typer.echo(f"erased: {erased.tickets} ticket phone number(s), {erased.messages} message(s)"
               f" older than {keep} days (offices with their own period: theirs); "
               f"{erased.callbacks} callback number(s), "
               f"{erased.conversations} consultation conversation(s)")  # fmt: skip


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="admin | supervisor | officer")],
    office: Annotated[
        str | None,
        typer.Option(help="Office slug (officers; a supervisor without one is the regency's)"),
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="Password; prompted when not given", hidden=False)
    ] = None,
) -> None:
    """Buat pengguna / create a user."""
    from queue_server.services.auth import Role

    settings = Settings()
    _migrate(settings)
    admin = _admin(settings)
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    office_id = admin.queue.office_id(office) if office else None
    from queue_server.services.admin import OfficerWithoutOffice
    from queue_server.services.auth import WeakPassword

    try:
        admin.create_user(
            username=username, password=password, role=Role(role), office_id=office_id
        )
    except WeakPassword:
        typer.echo("error: kata sandi terlalu lemah / password too weak: at least 10 characters,"
                   " not a common word, without the username", err=True)  # fmt: skip
        raise typer.Exit(1) from None
    except OfficerWithoutOffice:
        typer.echo("error: petugas perlu kantor / an officer needs an office (--office); a"
                   " supervisor without one sees every office", err=True)  # fmt: skip
        raise typer.Exit(1) from None
    typer.echo(f"user {username} created")


@devices_app.command("create")
def devices_create(
    office: Annotated[str, typer.Option(help="Office slug")],
    kind: Annotated[str, typer.Option(help="kiosk | display | agent | counter")],
    name: Annotated[str, typer.Option()],
    counter: Annotated[int | None, typer.Option(help="Counter number (kind counter)")] = None,
    kiosk: Annotated[int | None, typer.Option(help="Kiosk device id (kind agent)")] = None,
) -> None:
    """Daftarkan perangkat / register a device; prints its token as the last line."""
    from queue_server.services.auth import DeviceKind

    settings = Settings()
    _migrate(settings)
    admin = _admin(settings)
    office_id = admin.queue.office_id(office)
    _device_id, token = admin.create_device(
        office_id, kind=DeviceKind(kind), name=name, counter_number=counter, kiosk_id=kiosk
    )
    typer.echo(f"device {name} ({kind}) registered for {office}")
    screen = SCREEN_PATHS.get(kind)
    if screen is not None:
        link = f"{settings.base_url()}{screen}/pair#token={token}"
        typer.echo(f"open on the screen / buka di layar: {link}")
    typer.echo("token:")
    typer.echo(token)


@devices_app.command("claim")
def devices_claim(
    office: Annotated[str, typer.Option(help="Office slug")],
    code: Annotated[str, typer.Option(help="Kode 6 angka di layar / the screen's 6-digit code")],
    name: Annotated[str, typer.Option()],
    counter: Annotated[int | None, typer.Option(help="Counter number (counter screens)")] = None,
) -> None:
    """Pasang layar dengan kodenya / pair the screen showing this code."""
    from datetime import UTC, datetime

    from queue_server.services import pairing_codes

    admin = _admin(Settings())
    try:
        office_id = admin.queue.office_id(office)
        _id, kind = pairing_codes.claim(admin, office_id, code, name, counter, datetime.now(UTC))
    except pairing_codes.UnknownCode:
        typer.echo("error: kode tidak dikenal atau kedaluwarsa / unknown or expired code", err=True)
        raise typer.Exit(1) from None
    except pairing_codes.CounterNeeded:
        typer.echo("error: --counter is needed for a counter screen, and only there", err=True)
        raise typer.Exit(1) from None
    finally:
        admin.db.dispose()
    typer.echo(f"paired: {name} ({kind}) for {office}; the screen carries on by itself")


@app.command()
def simulate(
    scenario: Annotated[
        str, typer.Argument(help="busy-day | quiet-day | month-start | FILE.toml")
    ] = "busy-day",
    days: Annotated[int, typer.Option(help="Hari / office days to simulate")] = 1,
    seed: Annotated[int, typer.Option(help="Benih acak / random seed (same seed, same days)")] = 1,
    server: Annotated[
        str | None, typer.Option(help="Jalankan lewat HTTP API server ini / drive this server")
    ] = None,
    office: Annotated[str, typer.Option(help="Office slug (with --server)")] = "winongan",
    officer: Annotated[
        list[str] | None, typer.Option(help="Petugas per loket, urut / one officer per counter")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Kata sandi petugas / officers' password", envvar="ANTREAN_SIM_PASSWORD"),
    ] = None,
    kiosk_token: Annotated[
        str | None,
        typer.Option(help="Token perangkat kios / kiosk device token", envvar="ANTREAN_SIM_KIOSK"),
    ] = None,
    speed: Annotated[
        float, typer.Option(help="Kali lebih cepat / times faster (with --server)")
    ] = 60.0,
) -> None:
    """Simulasikan hari kantor / simulate office days on the queue's own rules, or against a
    running server through its HTTP API (--server)."""
    import time

    from queue_server.simulation.engine import Scenario, simulate_day

    spec = Scenario.load(scenario)
    started = time.perf_counter()
    summaries = []
    if server is not None:
        summaries = [
            _drive(spec, server, office, officer or [], password, kiosk_token, speed, seed)
        ]
    else:
        with typer.progressbar(range(days), label=spec.name, file=None) as bar:
            for i in bar:
                summaries.append(simulate_day(spec, seed + i).summary())
    elapsed = time.perf_counter() - started
    typer.echo(summary_table(summaries))
    typer.echo(f"{len(summaries)} office-day(s) in {elapsed:.1f} s: "
               f"{len(summaries) / elapsed * 60:.0f} a minute")  # fmt: skip


def _drive(
    spec: Any,
    server: str,
    office: str,
    officers: list[str],
    password: str | None,
    kiosk_token: str | None,
    speed: float,
    seed: int,
) -> dict[str, Any]:
    from queue_server.simulation import http

    if not officers or password is None or kiosk_token is None:
        raise typer.BadParameter("--server needs --officer (one per counter), --password and "
                                 "--kiosk-token")  # fmt: skip
    session = http.UrllibSession(server)
    try:
        headers = [http.sign_in(session, name, password) for name in officers]
        numbers = http.office_counters(session, office, headers[0])
        driver = http.Driver(
            session, office, {"Authorization": f"Bearer {kiosk_token}"},
            dict(zip(numbers, headers, strict=False)), speed=speed,
        )  # fmt: skip
        seconds = spec.hours * 3600 / speed  # the opening hours, at speed
        typer.echo(f"{spec.name}: {len(driver.officers)} counter(s), {seconds:.0f} s or more")
        day = driver.run(spec, seed)
    except http.DriveError as refused:
        typer.echo(f"error: {refused}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"{driver.requests} requests, the slowest answered in {driver.slowest * 1000:.0f} ms"
    )
    return day.summary()


def summary_table(summaries: list[dict[str, object]]) -> str:
    """Mean, min and max over simulated days of each figure, as a Markdown table."""
    keys = ("arrived", "served", "missed_once", "no_shows", "expired", "wait_avg", "wait_p90",
            "wait_max")  # fmt: skip
    lines = ["| figure | mean | min | max |", "|---|---:|---:|---:|"]
    for key in keys:
        values = [float(s[key]) for s in summaries]  # type: ignore[arg-type]
        unit = " (min)" if key.startswith("wait") else ""
        lines.append(f"| {key}{unit} | {sum(values) / len(values):.1f} | {min(values):.1f} | "
                     f"{max(values):.1f} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    app()
