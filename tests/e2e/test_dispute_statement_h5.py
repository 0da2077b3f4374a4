"""The other party's side of a dispute in the mini-program's H5 build (Chromium, 390×844): the client disputes a
paid booking; the artist opens the order, taps 提交我的陈述与凭证, writes what happened, adds a photo and submits.
The operators' workbench then shows the artist's statement with its photo."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from domain.seed import OPERATOR, stage_picture
from tests.e2e.h5 import PHONE_VIEWPORT, confirm_modal, field, fill, sms_login_h5, t
from tests.e2e.test_admin_disputes import V1, _disputed_booking

pytestmark = pytest.mark.e2e

ARTIST = "13900000022"  # a seeded, verified artist no other browser test books


def _token(page: Page) -> str:
    """The H5 app's access token (uni's storage wraps each value as {"type", "data"})."""
    raw = page.evaluate("k => localStorage.getItem(k)", "yanyue.access_token")
    assert isinstance(raw, str), raw
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return str(value["data"]) if isinstance(value, dict) else str(value)


def test_the_other_party_answers_a_dispute_on_h5(platform_url: str, page: Page, screenshot_dir: Path,
                                                  tmp_path: Path) -> None:
    api = platform_url
    page.set_viewport_size(PHONE_VIEWPORT)
    sms_login_h5(page, api, ARTIST)
    bid, _, _, opened, _ = _disputed_booking(api, artist_token=_token(page), artist_phone=ARTIST, answer=False)

    page.goto("about:blank")
    page.goto(f"{api}/h5/#/subpkg/booking/order?id={bid}")
    expect(t(page, "order-status")).to_have_text("纠纷处理中")
    t(page, "order-dispute-statement").click()
    expect(t(page, "statement-notice")).to_contain_text(opened)
    said = "已按合同约定时间到场，曲目调整当天征得对方现场负责人同意"
    fill(page, field(page, "dispute-reason", "textarea"), said)
    photo = tmp_path / "现场沟通.jpg"
    photo.write_bytes(stage_picture(21))
    with page.expect_file_chooser() as chooser:
        t(page, "dispute-photos-add").click()
    chooser.value.set_files(str(photo))
    expect(t(page, "dispute-photos-item")).to_have_attribute("data-state", "done", timeout=20_000)
    page.screenshot(path=str(screenshot_dir / "h5-dispute-statement.png"))
    with page.expect_response(lambda r: r.url.endswith(f"/bookings/{bid}/dispute/statements")) as sent:
        t(page, "dispute-submit").click()
        confirm_modal(page, "提交陈述")
    assert sent.value.status == 201, sent.value.text()
    expect(t(page, "order-status")).to_be_visible()  # back on the order page

    with httpx.Client(base_url=api, timeout=30, trust_env=False) as ops:
        res = ops.post(f"{V1}/admin/auth/login", json={"username": OPERATOR[0], "password": OPERATOR[1]})
        ops.headers["Authorization"] = f"Bearer {res.json()['access_token']}"
        bench = ops.get(f"{V1}/admin/disputes/{bid}").json()
    statements = bench["disputes"][0]["statements"]
    assert [(s["author_role"], s["body"]) for s in statements] == [("client", opened), ("artist", said)]
    assert len(statements[1]["evidence_urls"]) == 1
