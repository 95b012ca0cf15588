"""The lobby display's optional media folder: what is listed, what is served, what is not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from queue_server.api.app import create_app
from queue_server.clock import FrozenClock
from queue_server.config import Settings
from queue_server.store.db import Database
from tests.conftest import device

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture
def media_client(
    tmp_path: Path, database: Database, clock: FrozenClock, demo_office: int
) -> Iterator[TestClient]:
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "b-video.mp4").write_bytes(b"\0\0\0\x18ftypmp42")
    (folder / "a-poster.png").write_bytes(PNG)
    (folder / "notes.txt").write_text("not media")
    (folder / ".hidden.png").write_bytes(PNG)
    (tmp_path / "secret.png").write_bytes(PNG)
    settings = Settings(database_url=database.url, media_dir=str(folder), voice="tone")
    app = create_app(settings, clock=clock, database=database, rollover_every=None)
    with TestClient(app) as client:
        yield client


def test_display_lists_and_serves_only_its_media(media_client: TestClient) -> None:
    token = device(media_client, "display")["Authorization"].split()[1]
    media_client.cookies.set("antrean_session", token)
    page = media_client.get("/display")
    assert page.status_code == 200
    assert '"media":[{"url":"/display/media/a-poster.png","kind":"image"},' in page.text
    assert '{"url":"/display/media/b-video.mp4","kind":"video"}]' in page.text
    assert "with-media" in page.text
    image = media_client.get("/display/media/a-poster.png")
    assert image.status_code == 200 and image.content == PNG
    for name in ("notes.txt", ".hidden.png", "..%2Fsecret.png", "tidak-ada.png"):
        assert media_client.get(f"/display/media/{name}").status_code == 404, name


def test_without_a_media_folder_nothing_is_shown(client: TestClient) -> None:
    token = device(client, "display")["Authorization"].split()[1]
    client.cookies.set("antrean_session", token)
    page = client.get("/display")
    assert '"media":[]' in page.text and "with-media" not in page.text
    assert client.get("/display/media/a.png").status_code == 404
