"""Helpers for tests and benchmarks that run real server processes on localhost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import TracebackType


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """`antrean serve` (or any uvicorn app) in a child process on 127.0.0.1.

    Use as a context manager; `kill()` sends SIGKILL, `stop()` SIGTERM, `start()` again reuses
    the same port and database.
    """

    def __init__(
        self,
        database_url: str,
        *,
        port: int | None = None,
        app: str | None = None,
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
        workers: int = 1,
    ) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.app = app  # "module:attr" to serve instead of Antrean itself
        self.extra_env = env or {}
        self.log_path = log_path
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        if self.app is None:
            return [
                sys.executable, "-m", "queue_server", "serve", "--host", "127.0.0.1",
                "--port", str(self.port), "--no-access-log", "--workers", str(self.workers),
            ]  # fmt: skip
        return [
            sys.executable, "-m", "uvicorn", self.app, "--host", "127.0.0.1",
            "--port", str(self.port), "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip

    def start(self, timeout: float = 30.0) -> ServerProcess:
        env = {
            **os.environ,
            "ANTREAN_DATABASE_URL": self.database_url,
            "ANTREAN_ADMIN_PASSWORD": os.environ.get("ANTREAN_ADMIN_PASSWORD", "kunci-kantor-1"),
            "ANTREAN_DEMO_PASSWORD": os.environ.get("ANTREAN_DEMO_PASSWORD", "rahasia-demo-1"),
            **self.extra_env,
        }
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                self.command(), env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        finally:
            if not isinstance(out, int):
                out.close()  # the child keeps its own handle
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.command()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.kill()
        raise TimeoutError(f"server on port {self.port} did not become healthy")

    def _signal(self, sig: int, wait: float) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        self._signal(signal.SIGTERM, 15)

    def kill(self) -> None:
        self._signal(signal.SIGKILL, 10)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.stop()
