"""Helpers for tests and benchmarks that run real server processes on localhost."""

from __future__ import annotations

import os
import shutil
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


# ---- nginx in front of a server, with the shipped site file (deploy/nginx/antrean.conf) ----
NGINX_SITE = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "antrean.conf"
_LISTEN, _UPSTREAM = "listen 80;", "server 127.0.0.1:8000;"
_MIME_TYPES = Path("/etc/nginx/mime.types")


def _nofile() -> int:
    """Open files an nginx worker may ask for: up to 65,536, within the hard limit."""
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return 65536 if hard == resource.RLIM_INFINITY else min(65536, hard)


def nginx_path() -> str | None:
    """Debian's nginx (`ANTREAN_NGINX` to use another), or None when it is not installed."""
    configured = os.environ.get("ANTREAN_NGINX")
    if configured:
        return configured
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def render_site(site: str, *, port: int, upstream: str) -> str:
    """The shipped site file listening on 127.0.0.1:`port` in front of `upstream` (host:port)."""
    for marker in (_LISTEN, _UPSTREAM):
        if marker not in site:
            raise ValueError(f"the nginx site file lost its marker {marker!r}")
    lines = [line for line in site.splitlines() if "listen [::]:80" not in line]
    text = "\n".join(lines) + "\n"
    text = text.replace(_LISTEN, f"listen 127.0.0.1:{port} backlog=4096;")
    return text.replace(_UPSTREAM, f"server {upstream};")


class NginxProcess:
    """nginx with the shipped site file in a throwaway prefix (never /etc/nginx), on a free
    port of 127.0.0.1, in front of `upstream` ("127.0.0.1:PORT"). Context manager."""

    def __init__(
        self,
        upstream: str,
        prefix: Path,
        *,
        port: int | None = None,
        workers: int = 1,
        site: Path = NGINX_SITE,
        access_log: bool = False,
    ) -> None:
        binary = nginx_path()
        if binary is None:
            raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
        self.binary = binary
        self.upstream = upstream
        self.prefix = prefix
        self.port = port or free_port()
        self.workers = workers
        self.site = site
        self.access_log = access_log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def conf(self) -> Path:
        return self.prefix / "nginx.conf"

    def write_config(self) -> Path:
        self.prefix.mkdir(parents=True, exist_ok=True)
        site = render_site(self.site.read_text(), port=self.port, upstream=self.upstream)
        (self.prefix / "antrean.conf").write_text(site)
        temp = "\n".join(
            f"    {kind}_temp_path {self.prefix / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        types = (
            f"include {_MIME_TYPES};"
            if _MIME_TYPES.exists()
            else "types { text/html html; text/css css; application/javascript js; }"
        )
        access = (
            f"access_log {self.prefix / 'access.log'};" if self.access_log else "access_log off;"
        )
        # as root, the workers would otherwise switch to a user that cannot use the prefix
        user = "user root;\n" if os.geteuid() == 0 else ""
        self.conf.write_text(
            f"""{user}worker_processes {self.workers};
pid {self.prefix / "nginx.pid"};
error_log {self.prefix / "error.log"} warn;
worker_rlimit_nofile {_nofile()};
events {{ worker_connections 16384; }}
http {{
    {types}
    default_type application/octet-stream;
    {access}
    sendfile on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 100000;
{temp}
    include {self.prefix / "antrean.conf"};
}}
"""
        )
        return self.conf

    def command(self, *extra: str) -> list[str]:
        return [self.binary, "-p", str(self.prefix), "-e", str(self.prefix / "error.log"),
                "-c", str(self.conf), *extra]  # fmt: skip

    def start(self, timeout: float = 15.0) -> NginxProcess:
        self.write_config()
        checked = subprocess.run(self.command("-t"), capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{checked.stderr}")
        self.proc = subprocess.Popen(
            self.command("-g", "daemon off;"), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.proc.returncode}: {self.errors()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"nginx on port {self.port} did not start: {self.errors()}")

    def errors(self) -> str:
        log = self.prefix / "error.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # fast shutdown: open websockets would hold SIGQUIT
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def __enter__(self) -> NginxProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:  # fmt: skip
        self.stop()
