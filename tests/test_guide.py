"""The officer guide (docs/panduan-petugas.md) mentions every control and shortcut the counter
and front-desk screens draw, the settings guide (docs/panduan-admin.md) every settings page, and
both show screenshots that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from queue_server.web.admin import TABS, Tab
from queue_server.web.staff import COUNTER_CONTROLS, FRONT_DESK_CONTROLS, Control

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "panduan-petugas.md"
SETTINGS_GUIDE = ROOT / "docs" / "panduan-admin.md"


@pytest.mark.parametrize("control", COUNTER_CONTROLS + FRONT_DESK_CONTROLS, ids=lambda c: c.action)
def test_every_control_and_its_shortcut_is_in_the_guide(control: Control) -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert f"**{control.label}**" in text, control.label
    if control.key:
        assert f"`{control.key}`" in text, (control.label, control.key)


@pytest.mark.parametrize("tab", TABS, ids=lambda t: t.path)
def test_every_settings_page_is_in_the_settings_guide(tab: Tab) -> None:
    headings = re.findall(r"^## (.+)$", SETTINGS_GUIDE.read_text(encoding="utf-8"), re.M)
    assert any(h.startswith(tab.label) for h in headings), tab.label


@pytest.mark.parametrize("guide", [GUIDE, SETTINGS_GUIDE], ids=lambda p: p.stem)
def test_guide_screenshots_exist(guide: Path) -> None:
    shots = re.findall(r"\]\((screenshots/[^)]+)\)", guide.read_text(encoding="utf-8"))
    assert len(shots) >= 4
    for shot in shots:
        assert (guide.parent / shot).is_file(), shot
