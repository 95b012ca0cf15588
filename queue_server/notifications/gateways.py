"""Gateways that carry a message to a phone, chosen per office (`notify.gateway.kind`).

- `log`: writes the message (phone masked) to the server log; the default, for offices with no
  gateway yet.
- `http`: the generic HTTP shape most Indonesian SMS and unofficial WhatsApp gateways use: a
  URL, a method, a body template, headers (e.g. an API key) and optional basic auth.
- `gammu`: a GSM modem on the server through Gammu SMSD (`gammu-smsd-inject`).
- `whatsapp`: WhatsApp Business Cloud API; an approved template outside the 24-hour window.
- `apprise`: any service Apprise supports, by URL (`{to}` is replaced by the number).

A gateway raises `GatewayError` when a message could not be handed over; the worker retries.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from queue_server.phones import mask

from .rules import ANSWERS, is_gsm7

log = logging.getLogger("antrean.messages")


@dataclass(frozen=True)
class Outgoing:
    id: str  # the same for every attempt: gateways deduplicate on it
    phone: str  # E.164
    text: str
    kind: str
    language: str


class GatewayError(Exception):
    """The gateway did not take the message (down, refused, timed out)."""


class Gateway(Protocol):
    def send(self, message: Outgoing) -> None: ...


class LogGateway:
    def send(self, message: Outgoing) -> None:
        log.info("message %s to %s (%s): %s", message.id, mask(message.phone), message.kind,
                 message.text)  # fmt: skip


def _fill(template: Any, values: Mapping[str, str]) -> Any:
    """Fill {to}, {to_local}, {text}, {id}, {kind} into every string of a JSON-like template."""
    if isinstance(template, str):
        out = template
        for key, value in values.items():
            out = out.replace("{" + key + "}", value)
        return out
    if isinstance(template, list):
        return [_fill(item, values) for item in template]
    if isinstance(template, dict):
        return {k: _fill(v, values) for k, v in template.items()}
    return template


def _values(message: Outgoing) -> dict[str, str]:
    digits = message.phone.lstrip("+")
    local = "0" + digits[2:] if digits.startswith("62") else digits
    return {"to": digits, "to_e164": message.phone, "to_local": local, "text": message.text,
            "id": message.id, "kind": message.kind}  # fmt: skip


def _request(
    url: str, method: str, body: bytes | None, headers: dict[str, str], timeout: float
) -> None:
    request = urllib.request.Request(url, body, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise GatewayError(f"HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise GatewayError(f"unreachable: {error}") from None


@dataclass
class HttpGateway:
    url: str
    method: str = "POST"
    body: Any = field(default_factory=lambda: {"to": "{to}", "message": "{text}", "id": "{id}"})
    form: bool = False  # send the body as a form instead of JSON
    headers: dict[str, str] = field(default_factory=dict)
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0

    def send(self, message: Outgoing) -> None:
        values = _values(message)
        url = _fill(self.url, {k: urllib.parse.quote(v) for k, v in values.items()})
        headers = {"Idempotency-Key": message.id, **_fill(self.headers, values)}
        if self.username is not None:
            token = base64.b64encode(f"{self.username}:{self.password or ''}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        data: bytes | None = None
        if self.method.upper() != "GET":
            filled = _fill(self.body, values)
            if self.form:
                data = urllib.parse.urlencode(filled).encode()
                headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            else:
                data = json.dumps(filled).encode()
                headers.setdefault("Content-Type", "application/json")
        _request(url, self.method.upper(), data, headers, self.timeout)


@dataclass
class GammuGateway:
    # The program is the server's to choose (ANTREAN_GAMMU_COMMAND), never an office setting.
    command: str = field(default_factory=lambda: os.environ.get(
        "ANTREAN_GAMMU_COMMAND", "gammu-smsd-inject"))  # fmt: skip

    def send(self, message: Outgoing) -> None:
        args = [self.command, "TEXT", message.phone, "-len", str(len(message.text)),
                "-text", message.text]  # fmt: skip
        if not is_gsm7(message.text):
            args.append("-unicode")
        try:
            subprocess.run(args, check=True, capture_output=True, timeout=30)
        except subprocess.CalledProcessError as error:  # no command line: it holds the number
            raise GatewayError(f"gammu-smsd-inject exited with {error.returncode}") from None
        except subprocess.TimeoutExpired:
            raise GatewayError("gammu-smsd-inject timed out") from None
        except OSError as error:
            raise GatewayError(f"gammu-smsd-inject could not run: {error.strerror}") from None


@dataclass
class WhatsAppCloudGateway:
    phone_number_id: str
    token: str
    template: str | None = None  # an approved template with one body parameter (the text)
    template_language: str = "id"
    api: str = "https://graph.facebook.com/v21.0"
    timeout: float = 10.0

    def send(self, message: Outgoing) -> None:
        to = message.phone.lstrip("+")
        payload: dict[str, Any] = {"messaging_product": "whatsapp", "to": to}
        if self.template and message.kind not in ANSWERS:  # outside the 24-hour window
            language = "en" if message.language == "en" else self.template_language
            parameters = [{"type": "text", "text": message.text}]
            payload["type"] = "template"
            payload["template"] = {
                "name": self.template,
                "language": {"code": language},
                "components": [{"type": "body", "parameters": parameters}],
            }
        else:
            payload |= {"type": "text", "text": {"body": message.text}}
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        url = f"{self.api.rstrip('/')}/{self.phone_number_id}/messages"
        _request(url, "POST", json.dumps(payload).encode(), headers, self.timeout)


@dataclass
class AppriseGateway:
    urls: list[str]  # e.g. ["twilio://SID:TOKEN@+62811000/{to_e164}"]

    def send(self, message: Outgoing) -> None:
        import apprise

        notifier = apprise.Apprise()
        values = _values(message)
        for url in self.urls:
            notifier.add(_fill(url, values))
        if not notifier.notify(body=message.text):
            raise GatewayError("apprise could not deliver")


# Settings for incoming messages, kept beside the gateway's own (see api/routes/chat.py).
INBOUND_KEYS = frozenset({"kind", "inbound_secret", "app_secret", "verify_token"})


def from_settings(config: Mapping[str, Any]) -> Gateway:
    """The gateway an office's settings describe (`{"kind": "http", "url": ...}`)."""
    options = {k: v for k, v in config.items() if k not in INBOUND_KEYS}
    kind = str(config.get("kind", "log"))
    if kind == "log":
        return LogGateway()
    if kind == "http":
        if not str(options.get("url", "")).startswith(("http://", "https://")):
            raise ValueError("an http gateway needs an http(s) URL")
        return HttpGateway(**options)
    if kind == "gammu":
        if options:
            raise TypeError("the gammu gateway takes no settings")
        return GammuGateway()
    if kind == "whatsapp":
        return WhatsAppCloudGateway(**options)
    if kind == "apprise":
        return AppriseGateway(**options)
    raise ValueError(f"unknown gateway kind {kind!r}")
