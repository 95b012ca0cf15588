"""Checks shared by the browser tests: axe-core, touch target sizes, type size, printed files."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image

from tests.printer.escpos_decoder import decode

MIN_TARGET_PX = 64


def assert_accessible(page: Any, where: str) -> None:
    """axe-core finds no serious or critical violation on what the page shows now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    detail = "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in bad
    )
    assert not bad, f"{where}: {detail}"


def assert_large_targets(page: Any) -> None:
    """Every visible button, link and choice is at least 64 x 64 px."""
    small = page.evaluate(
        """(min) => {
          const found = [];
          for (const el of document.querySelectorAll('button, a, .tile-face, .consent')) {
            const r = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
            if (r.width < min || r.height < min) {
              found.push(`${el.id || el.className || el.tagName} ${r.width}x${r.height}`);
            }
          }
          return found;
        }""",
        MIN_TARGET_PX,
    )
    assert not small, f"touch targets under {MIN_TARGET_PX}px: {small}"


def qr_texts(png: bytes) -> list[str]:
    """What a phone camera reads from a screenshot of a QR code."""
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def body_font_px(page: Any) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def wait_for_file(spool: Path, number: str, timeout: float = 20.0) -> bool:
    """Whether the print agent wrote a ticket showing `number` into `spool`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in spool.glob("*.escpos"):
            if any(text.strip() == number for text in decode(path.read_bytes()).texts):
                return True
        time.sleep(0.1)
    return False
