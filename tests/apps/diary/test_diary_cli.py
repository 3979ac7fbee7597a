"""`pixelsmith diary export USERNAME -o DIR` on a real data dir, with an account made by
`pixelsmith users create` and a post with a toonified picture."""

from __future__ import annotations

import io
import json

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from pixelsmith.cli import app
from pixelsmith.core.config import get_settings


def test_export_writes_the_users_posts_and_pictures(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXELSMITH_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    runner = CliRunner()
    r = runner.invoke(
        app, ["users", "create", "mina", "--password-stdin"], input="a long enough passphrase\n"
    )
    assert r.exit_code == 0, r.stdout
    from pixelsmith.apps.diary.moderation import ScreenConfig
    from pixelsmith.apps.diary.service import DiaryService, user_id_for
    from pixelsmith.apps.diary.toonify import toonify_photo
    from pixelsmith.core.services import Services

    services = Services.create(get_settings())
    try:
        with services.db.session() as s:
            uid = user_id_for(s, "MINA")  # usernames are case-insensitive
        diary = DiaryService(services)
        p = diary.create_post(uid, title="첫 일기", text="바다에 갔다", mood="calm")
        buf = io.BytesIO()
        Image.fromarray(np.full((120, 160, 3), (60, 140, 200), np.uint8)).save(buf, "PNG")
        diary.attach_toon(
            uid, p["id"], toonify_photo(buf.getvalue(), (10**7, 10**7, 4000), ScreenConfig())
        )
    finally:
        services.close()

    out = tmp_path / "export"
    r = runner.invoke(app, ["diary", "export", "mina", "-o", str(out)], catch_exceptions=False)
    assert r.exit_code == 0, r.stdout
    doc = json.loads((out / "diary.json").read_text())
    assert doc["username"] == "mina" and [x["title"] for x in doc["posts"]] == ["첫 일기"]
    picture = out / doc["posts"][0]["image"]["file"]
    assert Image.open(picture).size == (160, 120)

    r = runner.invoke(app, ["diary", "export", "nobody", "-o", str(out)])
    assert r.exit_code == 2 and "No account named" in r.stdout
    get_settings.cache_clear()
