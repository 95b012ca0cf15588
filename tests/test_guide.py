"""The officer guide (docs/panduan-petugas.md) mentions every control and shortcut the counter
and front-desk screens draw, and shows screenshots that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from queue_server.web.staff import COUNTER_CONTROLS, FRONT_DESK_CONTROLS, Control

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "panduan-petugas.md"


@pytest.mark.parametrize("control", COUNTER_CONTROLS + FRONT_DESK_CONTROLS, ids=lambda c: c.action)
def test_every_control_and_its_shortcut_is_in_the_guide(control: Control) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert f"**{control.label}**" in text, control.label
    if control.key:
        assert f"`{control.key}`" in text, (control.label, control.key)


def test_guide_screenshots_exist() -> None:
    shots = re.findall(r"\]\((screenshots/[^)]+)\)", GUIDE.read_text(encoding="utf-8"))
    assert len(shots) >= 4
    for shot in shots:
        assert (GUIDE.parent / shot).is_file(), shot
