"""Printer backends: spec parsing, file/dummy/fake printers and a network printer on loopback."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from printer.backends import (
    DummyPrinter,
    FakePrinter,
    FilePrinter,
    NetworkPrinter,
    Printer,
    PrintError,
    PrinterState,
    PrinterStatus,
    SerialPrinter,
    UsbPrinter,
    from_spec,
    status_from_replies,
)
from printer.escpos_render import render
from printer.layout import PAPER_58, PAPER_80, Document, layout
from tests.printer.escpos_decoder import decode
from tests.printer.tickets import REFERENCE, TRACKING_URL

DLE_EOT_PRINTER = b"\x10\x04\x01"
DLE_EOT_PAPER = b"\x10\x04\x04"
# Replies of a healthy printer, one whose paper ran out, and one with its cover open.
READY = {DLE_EOT_PRINTER: b"\x16", DLE_EOT_PAPER: b"\x12"}
NO_PAPER = {DLE_EOT_PRINTER: b"\x1e", DLE_EOT_PAPER: b"\x72"}
COVER_OPEN = {DLE_EOT_PRINTER: b"\x1e", DLE_EOT_PAPER: b"\x12"}


@pytest.fixture
def document() -> Document:
    return layout(REFERENCE, PAPER_58)


class LoopbackPrinter:
    """A network printer on 127.0.0.1: records what it receives, answers status queries."""

    def __init__(self, replies: dict[bytes, bytes] | None = None) -> None:
        self.replies = replies or {}
        self.received = bytearray()
        self.errors: list[BaseException] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(5)
        self.port: int = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            connection, _ = self.listener.accept()
            with connection:
                connection.settimeout(5)
                while chunk := connection.recv(65536):
                    self.received += chunk
                    for query, reply in self.replies.items():
                        if self.received.endswith(query):
                            connection.sendall(reply)
        except OSError as exc:  # includes timeouts: the test then fails on `errors`
            self.errors.append(exc)
        finally:
            self.listener.close()

    def finish(self) -> bytes:
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "loopback printer did not finish"
        assert not self.errors
        return bytes(self.received)


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
    return port


# --- from_spec -------------------------------------------------------------------------------


def test_usb_spec() -> None:
    usb = from_spec("usb:0x04b8:0x0202")
    assert isinstance(usb, UsbPrinter)
    assert (usb.vendor_id, usb.product_id) == (0x04B8, 0x0202)
    assert (usb.in_endpoint, usb.out_endpoint) == (0x82, 0x01)
    assert repr(usb) == "usb:0x04b8:0x0202"
    bare = from_spec("usb:0416:5011:0x81:0x03")  # as lsusb prints it, with endpoints
    assert isinstance(bare, UsbPrinter)
    assert (bare.vendor_id, bare.product_id) == (0x0416, 0x5011)
    assert (bare.in_endpoint, bare.out_endpoint) == (0x81, 0x03)


def test_network_spec() -> None:
    net = from_spec("net:192.168.1.50:9100")
    assert isinstance(net, NetworkPrinter)
    assert (net.host, net.port) == ("192.168.1.50", 9100)
    default_port = from_spec("net:printer-loket.local")
    assert isinstance(default_port, NetworkPrinter)
    assert (default_port.host, default_port.port) == ("printer-loket.local", 9100)


def test_serial_spec() -> None:
    serial = from_spec("serial:/dev/ttyUSB0:19200")
    assert isinstance(serial, SerialPrinter)
    assert (serial.device, serial.baudrate) == ("/dev/ttyUSB0", 19200)
    windows = from_spec("serial:COM3")
    assert isinstance(windows, SerialPrinter)
    assert (windows.device, windows.baudrate) == ("COM3", 9600)


def test_file_and_dummy_specs() -> None:
    file_printer = from_spec("file:/dev/usb/lp0")
    assert isinstance(file_printer, FilePrinter)
    assert file_printer.path == Path("/dev/usb/lp0")
    assert isinstance(from_spec("dummy"), DummyPrinter)
    assert isinstance(from_spec("  DUMMY "), DummyPrinter)


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("", "expected KIND:DETAILS"),
        ("usb", "expected KIND:DETAILS"),
        ("lpt:1", "unknown printer kind 'lpt'"),
        ("dummy:extra", "dummy takes no details"),
        ("usb:0x04b8", "vendor and product id"),
        ("usb:0x04b8:0x0202:0x81", "vendor and product id"),
        ("usb:epson:0x0202", "vendor id 'epson' is not a hexadecimal number"),
        ("usb:0x04b8:0x10000", "product id '0x10000' is out of range"),
        ("usb:0x04b8:0x0202:0x81:0x100", "out endpoint '0x100' is out of range"),
        ("net:", "the host is missing"),
        ("net::9100", "the host is missing"),
        ("net:192.168.1.50:99999", "port '99999' must be a number from 1 to 65535"),
        ("net:192.168.1.50:lan", "port 'lan' must be a number"),
        ("net:[fe80::1]:9100", "IPv6"),
        ("serial:", "the serial device is missing"),
        ("serial::9600", "the serial device is missing"),
        ("serial:/dev/ttyUSB0:fast", "baud rate 'fast' must be a number"),
        ("file:", "the file path is missing"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec: str, why: str) -> None:
    with pytest.raises(ValueError) as raised:
        from_spec(spec)
    message = str(raised.value)
    assert why in message
    assert repr(spec) in message
    assert "usb:0x04b8:0x0202" in message  # and show the forms that work


def test_every_backend_is_a_printer() -> None:
    for spec in ("usb:0x04b8:0x0202", "net:192.0.2.1", "serial:/dev/ttyS0", "file:/tmp/x"):
        assert isinstance(from_spec(spec), Printer)
    assert isinstance(DummyPrinter(), Printer)
    assert isinstance(FakePrinter(), Printer)


# --- file, dummy and fake --------------------------------------------------------------------


def test_file_printer_appends_bytes(tmp_path: Path, document: Document) -> None:
    path = tmp_path / "tickets.bin"
    printer = FilePrinter(path)
    assert printer.check().ok
    printer.print_document(document)
    printer.print_document(document)
    data = path.read_bytes()
    assert data == render(document) * 2
    assert decode(data).qr_stored == [TRACKING_URL, TRACKING_URL]
    assert printer.check() == PrinterStatus(PrinterState.OK, "ready")


def test_file_printer_missing_directory(tmp_path: Path, document: Document) -> None:
    printer = FilePrinter(tmp_path / "no-such-dir" / "lp0")
    assert printer.check().state is PrinterState.NOT_FOUND
    with pytest.raises(PrintError) as raised:
        printer.print_document(document)
    assert raised.value.status.state is PrinterState.NOT_FOUND
    assert "no-such-dir" in raised.value.status.message


def test_file_printer_missing_device_node() -> None:
    status = FilePrinter("/dev/antrean-test-no-such-lp0").check()
    assert status.state is PrinterState.NOT_FOUND


def test_file_printer_on_a_directory(tmp_path: Path, document: Document) -> None:
    printer = FilePrinter(tmp_path)
    assert printer.check().state is PrinterState.NOT_FOUND
    with pytest.raises(PrintError):
        printer.print_document(document)


def test_dummy_printer_keeps_bytes(document: Document) -> None:
    printer = DummyPrinter()
    assert printer.check().ok
    printer.print_document(document)
    printer.print_document(layout(REFERENCE, PAPER_80))
    assert len(printer.tickets) == 2
    assert printer.tickets[0] == render(document)
    assert printer.output == b"".join(printer.tickets)
    printer.clear()
    assert printer.output == b""


def test_fake_printer_records_documents(document: Document) -> None:
    printer = FakePrinter()
    printer.print_document(document)
    assert printer.documents == [document]
    assert printer.check().ok


@pytest.mark.parametrize(
    "state", [PrinterState.PAPER_OUT, PrinterState.OFFLINE, PrinterState.NOT_FOUND]
)
def test_fake_printer_failures(state: PrinterState, document: Document) -> None:
    printer = FakePrinter()
    printer.fail(state.value)
    assert printer.check().state is state
    with pytest.raises(PrintError) as raised:
        printer.print_document(document)
    assert raised.value.status.state is state
    assert state.value in str(raised.value)
    assert printer.documents == []
    printer.recover()
    printer.print_document(document)
    assert printer.documents == [document]


def test_fake_printer_can_start_broken(document: Document) -> None:
    printer = FakePrinter(PrinterState.PAPER_OUT, "kertas habis")
    assert printer.check() == PrinterStatus(PrinterState.PAPER_OUT, "kertas habis")
    with pytest.raises(PrintError, match="paper_out: kertas habis"):
        printer.print_document(document)


def test_fake_printer_rejects_bad_states() -> None:
    with pytest.raises(ValueError):
        FakePrinter().fail("ok")
    with pytest.raises(ValueError):
        FakePrinter().fail("on_fire")


# --- device status ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("online", "paper", "state"),
    [
        (b"\x16", b"\x12", PrinterState.OK),
        (b"\x16", b"\x1e", PrinterState.OK),  # paper near end: still prints
        (b"\x1e", b"\x72", PrinterState.PAPER_OUT),
        (b"\x1e", b"\x12", PrinterState.OFFLINE),
        (b"", b"", PrinterState.OK),  # printers that never answer
    ],
)
def test_status_from_replies(online: bytes, paper: bytes, state: PrinterState) -> None:
    assert status_from_replies(online, paper).state is state


def test_low_paper_is_reported() -> None:
    assert "low" in status_from_replies(b"\x16", b"\x1e").message


def test_usb_printer_not_plugged_in(document: Document) -> None:
    # No such device on any machine (and CI may not even have libusb): not found, never a crash.
    printer = UsbPrinter(0xFFFE, 0xFFFE)
    status = printer.check()
    assert status.state is PrinterState.NOT_FOUND
    assert "usb:0xfffe:0xfffe" in status.message
    with pytest.raises(PrintError) as raised:
        printer.print_document(document)
    assert raised.value.status.state is PrinterState.NOT_FOUND


def test_serial_printer_missing_port(document: Document) -> None:
    printer = SerialPrinter("/dev/antrean-test-no-such-tty", 19200)
    assert printer.check().state is PrinterState.NOT_FOUND
    with pytest.raises(PrintError) as raised:
        printer.print_document(document)
    assert raised.value.status.state is PrinterState.NOT_FOUND


# --- network printer on loopback --------------------------------------------------------------


def test_network_printer_sends_the_ticket(document: Document) -> None:
    server = LoopbackPrinter()
    NetworkPrinter("127.0.0.1", server.port, timeout=5).print_document(document)
    received = server.finish()
    assert received == render(document)
    decoded = decode(received)
    assert "A015" in decoded.texts
    assert decoded.qr_stored == [TRACKING_URL]


@pytest.mark.parametrize(
    ("replies", "state"),
    [
        (READY, PrinterState.OK),
        (NO_PAPER, PrinterState.PAPER_OUT),
        (COVER_OPEN, PrinterState.OFFLINE),
    ],
)
def test_network_printer_check(replies: dict[bytes, bytes], state: PrinterState) -> None:
    server = LoopbackPrinter(replies)
    status = NetworkPrinter("127.0.0.1", server.port, timeout=5).check()
    assert status.state is state
    assert server.finish() == DLE_EOT_PRINTER + DLE_EOT_PAPER


def test_network_printer_that_never_answers_status() -> None:
    server = LoopbackPrinter()
    status = NetworkPrinter("127.0.0.1", server.port, timeout=0.2).check()
    assert status.state is PrinterState.OK
    assert "no status" in status.message
    server.finish()


def test_network_printer_switched_off(document: Document) -> None:
    printer = NetworkPrinter("127.0.0.1", free_port(), timeout=2)
    status = printer.check()
    assert status.state is PrinterState.OFFLINE
    assert f"net:127.0.0.1:{printer.port}" in status.message
    with pytest.raises(PrintError) as raised:
        printer.print_document(document)
    assert raised.value.status.state is PrinterState.OFFLINE
