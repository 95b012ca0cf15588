"""Settings from the environment (ANTREAN_*), read once at start-up."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ANTREAN_", extra="ignore")

    database_url: str = "sqlite:///antrean.db"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None  # links on tickets and QR codes; default http://host:port
    # Proxies (nginx, a load balancer) whose X-Forwarded-For / -Proto are believed: the rate
    # limits then count the client's address instead of the proxy's (docs/deploy.md).
    forwarded_allow_ips: str = "127.0.0.1,::1"
    admin_password: str | None = None
    demo_password: str | None = None
    seed_demo: bool = True
    session_hours: int = 12
    secure_cookies: bool = False  # set true behind HTTPS
    ws_compression: bool = False  # per-message deflate roughly doubles memory per socket
    ws_ping_seconds: float = 20.0  # server pings each live screen this often
    ws_silence_seconds: float = 60.0  # and drops a screen it has not heard from for this long
    media_dir: str | None = None  # images / videos the lobby display shows in turn
    speaker: str | None = None  # e.g. "aplay -q": also play calls on the server's own speaker
    voice: str = "pyttsx3"  # pyttsx3 (eSpeak NG, offline) | tone (no voice: a tone stands in)
    notify_backoff_seconds: float = 30.0  # first retry of a failed text message; doubles after
    notify_interval_seconds: float = 1.0  # how often the message worker looks for due messages
    ws_queue_size: int = 256  # messages a slow screen may fall behind before it is dropped
    retention_days: int = 30  # visitors' phone numbers and messages are erased after this
    # Rate limits ("N/period", the `limits` library's notation); see queue_server/api/limits.py
    rate_limit_storage: str = "memory://"  # redis://host:6379 to share counts between workers
    limit_login_user: str = "5/15minutes"  # failed sign-ins per username, then locked out
    limit_login_address: str = "20/15minutes"  # failed sign-ins per address, then locked out
    limit_tickets_device: str = "20/minute"  # tickets per kiosk
    limit_tickets_address: str = "5/10minutes"  # tickets taken from a phone, per address
    limit_chat_phone: str = "10/minute"  # chat messages per phone number
    limit_survey_address: str = "30/hour"  # survey answers per address
    limit_track_address: str = "300/minute"  # ticket page and API reads per address
    limit_pairing_address: str = "10/10minutes"  # pairing codes a screen's address may ask for
    limit_notify_test: str = "5/minute"  # gateway test messages per signed-in user

    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"
