"""Ticket printers behind one small Protocol: USB, network, serial, file, in-memory and a fake.

Every call here blocks (sockets, USB, serial ports, files): callers on an event loop run
them in a thread or a worker process.
"""

from __future__ import annotations

import os
import socket
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError
from escpos.printer import Network, Serial, Usb

from printer.escpos_render import render
from printer.layout import Document


class PrinterState(StrEnum):
    """What a printer can do right now."""

    OK = "ok"
    PAPER_OUT = "paper_out"
    OFFLINE = "offline"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class PrinterStatus:
    """A printer's state and a message for the person fixing it."""

    state: PrinterState
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.state is PrinterState.OK


class PrintError(Exception):
    """A ticket could not be printed; status says why."""

    def __init__(self, status: PrinterStatus) -> None:
        super().__init__(f"{status.state.value}: {status.message}")
        self.status = status


@runtime_checkable
class Printer(Protocol):
    """Something that prints tickets and reports its health."""

    def print_document(self, document: Document) -> None:
        """Print one ticket or raise PrintError."""
        ...

    def check(self) -> PrinterStatus:
        """Report whether the printer can print now."""
        ...


# DLE EOT replies (ESC/POS real-time status): fixed bits 0x12, plus
_OFFLINE_BIT = 0x08  # n=1, printer status: offline
_PAPER_END_BITS = 0x60  # n=4, roll paper sensor: paper end
_PAPER_NEAR_END_BITS = 0x0C  # n=4, roll paper sensor: paper near end


def status_from_replies(online: bytes, paper: bytes) -> PrinterStatus:
    """Interpret the printer's answers to DLE EOT 1 (printer) and DLE EOT 4 (paper)."""
    if not online and not paper:
        return PrinterStatus(PrinterState.OK, "connected; the printer reports no status")
    if paper and paper[0] & _PAPER_END_BITS == _PAPER_END_BITS:
        return PrinterStatus(PrinterState.PAPER_OUT, "out of paper: load a new roll")
    if online and online[0] & _OFFLINE_BIT:
        return PrinterStatus(PrinterState.OFFLINE, "printer is offline: cover open or error")
    if paper and paper[0] & _PAPER_NEAR_END_BITS == _PAPER_NEAR_END_BITS:
        return PrinterStatus(PrinterState.OK, "paper is running low")
    return PrinterStatus(PrinterState.OK, "ready")


class _EscposDevice(ABC):
    """Send rendered tickets through one python-escpos connection class, one connection a job."""

    # What it means when the connection cannot be opened.
    unreachable = PrinterState.NOT_FOUND

    @abstractmethod
    def _connection(self) -> Escpos:
        """The python-escpos connection for this device (USB, network or serial)."""

    def _open(self) -> Escpos:
        device = self._connection()
        try:
            device.open()
        # ValueError: pyusb without libusb; RuntimeError: pyusb/pyserial not installed.
        except (EscposError, OSError, ValueError, RuntimeError) as exc:
            message = self._explain(" ".join(str(exc).split()))
            raise PrintError(PrinterStatus(self.unreachable, f"{self!r}: {message}")) from exc
        return device

    def _explain(self, message: str) -> str:
        return message

    def print_document(self, document: Document) -> None:
        """Render first, then send the whole ticket in one write."""
        data = render(document)
        device = self._open()
        try:
            # python-escpos has no public raw write; _raw is how its own methods send bytes.
            device._raw(data)
        except (EscposError, OSError) as exc:
            message = f"{self!r}: {self._explain(str(exc))}"
            raise PrintError(PrinterStatus(PrinterState.OFFLINE, message)) from exc
        finally:
            device.close()

    def check(self) -> PrinterStatus:
        """Connect and ask the printer for its real-time status."""
        try:
            device = self._open()
        except PrintError as exc:
            return exc.status
        try:
            online = self._ask(device, RT_STATUS_ONLINE)
            paper = self._ask(device, RT_STATUS_PAPER)
        except (EscposError, OSError) as exc:
            return PrinterStatus(PrinterState.OFFLINE, f"{self!r}: {self._explain(str(exc))}")
        finally:
            device.close()
        return status_from_replies(online, paper)

    @staticmethod
    def _ask(device: Escpos, command: bytes) -> bytes:
        device._raw(command)
        try:
            return bytes(device._read())
        except (OSError, NotImplementedError):
            # Many printers never answer status queries; silence is not a failure.
            return b""


class UsbPrinter(_EscposDevice):
    """A USB printer addressed by vendor and product id (see `lsusb`); needs libusb."""

    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        *,
        in_endpoint: int = 0x82,
        out_endpoint: int = 0x01,
        timeout_ms: int = 5000,
    ) -> None:
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.in_endpoint = in_endpoint
        self.out_endpoint = out_endpoint
        self.timeout_ms = timeout_ms

    def __repr__(self) -> str:
        return f"usb:{self.vendor_id:#06x}:{self.product_id:#06x}"

    def _explain(self, message: str) -> str:
        if "No backend available" in message:
            return "libusb is not installed (apt install libusb-1.0-0)"
        if "Access denied" in message or "insufficient permissions" in message:
            return f"{message}; add a udev rule for this printer (docs/printing.md)"
        return message

    def _connection(self) -> Escpos:
        return Usb(
            self.vendor_id,
            self.product_id,
            timeout=self.timeout_ms,
            in_ep=self.in_endpoint,
            out_ep=self.out_endpoint,
        )


class NetworkPrinter(_EscposDevice):
    """A printer on the office LAN speaking raw TCP (port 9100)."""

    unreachable = PrinterState.OFFLINE

    def __init__(self, host: str, port: int = 9100, *, timeout: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout

    def __repr__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"net:{host}:{self.port}"

    def _connection(self) -> Escpos:
        return Network(self.host, self.port, timeout=self.timeout)

    def _open(self) -> Escpos:
        # Network.open() leaks its socket when the connection fails; connect here instead.
        try:
            connection = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise PrintError(PrinterStatus(self.unreachable, f"{self!r}: {exc}")) from exc
        device = self._connection()
        device.device = connection
        return device


class SerialPrinter(_EscposDevice):
    """A printer on a serial port (or a USB-serial adapter such as /dev/ttyUSB0)."""

    def __init__(self, device: str, baudrate: int = 9600, *, timeout: float = 1.0) -> None:
        self.device = device
        self.baudrate = baudrate
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"serial:{self.device}:{self.baudrate}"

    def _connection(self) -> Escpos:
        return Serial(self.device, baudrate=self.baudrate, timeout=self.timeout)


class FilePrinter:
    """Append rendered tickets to a file: a printer device node (/dev/usb/lp0) or a plain file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"file:{self.path}"

    def print_document(self, document: Document) -> None:
        data = render(document)
        try:
            # Appending (not python-escpos' File, which truncates) keeps a development log
            # of every ticket; on a device node it makes no difference.
            with self.path.open("ab") as out:
                out.write(data)
        except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
            raise PrintError(self._missing(exc)) from exc
        except OSError as exc:
            raise PrintError(PrinterStatus(PrinterState.OFFLINE, f"{self!r}: {exc}")) from exc

    def check(self) -> PrinterStatus:
        if self.path.exists():
            if self.path.is_dir():
                return PrinterStatus(PrinterState.NOT_FOUND, f"{self!r}: is a directory")
            if not os.access(self.path, os.W_OK):
                return PrinterStatus(PrinterState.NOT_FOUND, f"{self!r}: permission denied")
            return PrinterStatus(PrinterState.OK, "ready")
        # A device node that is missing means the printer is unplugged or off.
        if self.path.is_relative_to("/dev") or not self.path.parent.is_dir():
            return PrinterStatus(PrinterState.NOT_FOUND, f"{self!r}: no such file")
        return PrinterStatus(PrinterState.OK, "ready; the file will be created")

    def _missing(self, exc: OSError) -> PrinterStatus:
        return PrinterStatus(PrinterState.NOT_FOUND, f"{self!r}: {exc.strerror or exc}")


class DummyPrinter:
    """Keep rendered tickets in memory as ESC/POS bytes."""

    def __init__(self) -> None:
        self._tickets: list[bytes] = []

    def __repr__(self) -> str:
        return "dummy"

    @property
    def tickets(self) -> list[bytes]:
        return list(self._tickets)

    @property
    def output(self) -> bytes:
        return b"".join(self._tickets)

    def clear(self) -> None:
        self._tickets.clear()

    def print_document(self, document: Document) -> None:
        self._tickets.append(render(document))

    def check(self) -> PrinterStatus:
        return PrinterStatus(PrinterState.OK, "dummy printer")


class FakePrinter:
    """Record documents for tests; can be told to fail like a real printer."""

    def __init__(self, state: PrinterState = PrinterState.OK, message: str = "") -> None:
        self.documents: list[Document] = []
        self.status = PrinterStatus(state, message)

    def __repr__(self) -> str:
        return "fake"

    def fail(self, state: PrinterState | str, message: str = "") -> None:
        """Make every following check report, and print raise, this state."""
        state = PrinterState(state)
        if state is PrinterState.OK:
            raise ValueError("fail() needs a failure state; use recover()")
        self.status = PrinterStatus(state, message or f"fake printer: {state.value}")

    def recover(self) -> None:
        self.status = PrinterStatus(PrinterState.OK, "")

    def print_document(self, document: Document) -> None:
        if not self.status.ok:
            raise PrintError(self.status)
        self.documents.append(document)

    def check(self) -> PrinterStatus:
        return self.status


SPEC_FORMS = (
    "usb:VENDOR:PRODUCT[:IN_EP:OUT_EP] (hex ids from lsusb, e.g. usb:0x04b8:0x0202)",
    "net:HOST[:PORT] (e.g. net:192.168.1.50:9100)",
    "serial:DEVICE[:BAUDRATE] (e.g. serial:/dev/ttyUSB0:19200)",
    "file:PATH (e.g. file:/dev/usb/lp0)",
    "dir:PATH (one file per ticket, for development)",
    "dummy",
)


def _bad(spec: str, why: str) -> ValueError:
    forms = "; ".join(SPEC_FORMS)
    return ValueError(f"bad printer spec {spec!r}: {why}. Use one of: {forms}")


def _hex_id(spec: str, text: str, what: str, limit: int) -> int:
    try:
        value = int(text, 16)
    except ValueError:
        raise _bad(spec, f"{what} {text!r} is not a hexadecimal number") from None
    if not 0 <= value <= limit:
        raise _bad(spec, f"{what} {text!r} is out of range")
    return value


def _number(spec: str, text: str, what: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise _bad(spec, f"{what} {text!r} must be a number from {low} to {high}")
    return int(text)


def _parse_usb(spec: str, rest: str) -> UsbPrinter:
    parts = rest.split(":")
    if len(parts) not in (2, 4):
        raise _bad(spec, "give the vendor and product id, and optionally both endpoints")
    vendor = _hex_id(spec, parts[0], "vendor id", 0xFFFF)
    product = _hex_id(spec, parts[1], "product id", 0xFFFF)
    if len(parts) == 4:
        in_ep = _hex_id(spec, parts[2], "in endpoint", 0xFF)
        out_ep = _hex_id(spec, parts[3], "out endpoint", 0xFF)
        return UsbPrinter(vendor, product, in_endpoint=in_ep, out_endpoint=out_ep)
    return UsbPrinter(vendor, product)


def _parse_net(spec: str, rest: str) -> NetworkPrinter:
    host, _, port_text = rest.partition(":")
    if not host:
        raise _bad(spec, "the host is missing")
    if ":" in port_text or host.startswith("["):
        raise _bad(spec, "IPv6 addresses are not supported; use an IPv4 address or a host name")
    if not port_text:
        return NetworkPrinter(host)
    return NetworkPrinter(host, _number(spec, port_text, "port", 1, 65535))


def _parse_serial(spec: str, rest: str) -> SerialPrinter:
    device, colon, baud_text = rest.rpartition(":")
    if not colon:  # no baud rate given: serial:COM3
        device, baud_text = rest, ""
    if not device:
        raise _bad(spec, "the serial device is missing")
    if not baud_text:
        return SerialPrinter(device)
    return SerialPrinter(device, _number(spec, baud_text, "baud rate", 300, 4_000_000))


class DirectoryPrinter:
    """Write each ticket to its own file in a folder: a spool for development and tests."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"dir:{self.path}"

    def print_document(self, document: Document) -> None:
        data = render(document)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            fd, _name = tempfile.mkstemp(dir=self.path, prefix="ticket-", suffix=".escpos")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise PrintError(PrinterStatus(PrinterState.OFFLINE, f"{self!r}: {exc}")) from exc

    def check(self) -> PrinterStatus:
        if self.path.exists() and not self.path.is_dir():
            return PrinterStatus(PrinterState.NOT_FOUND, f"{self!r}: not a directory")
        return PrinterStatus(PrinterState.OK, "ready")


def from_spec(spec: str) -> Printer:
    """Build a printer from a one-line setting such as "usb:0x04b8:0x0202" or "dummy"."""
    text = spec.strip()
    kind, colon, rest = text.partition(":")
    kind = kind.lower()
    if kind == "dummy":
        if rest:
            raise _bad(spec, "dummy takes no details")
        return DummyPrinter()
    if not colon:
        raise _bad(spec, "expected KIND:DETAILS")
    if kind == "usb":
        return _parse_usb(spec, rest)
    if kind == "net":
        return _parse_net(spec, rest)
    if kind == "serial":
        return _parse_serial(spec, rest)
    if kind == "file":
        if not rest:
            raise _bad(spec, "the file path is missing")
        return FilePrinter(rest)
    if kind == "dir":
        if not rest:
            raise _bad(spec, "the folder path is missing")
        return DirectoryPrinter(rest)
    raise _bad(spec, f"unknown printer kind {kind!r}")
