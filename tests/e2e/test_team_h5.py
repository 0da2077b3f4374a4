"""An artist's agent team in the mini-program H5 build: a demo artist invites a freshly registered user as
经纪人 on 我的团队 (an invalid phone is refused before any request; an unregistered phone gets the same
邀请已发送 answer as a registered one; a third invitation, as 助理, is cancelled after a confirmation); the
invited user logs in, sees the 团队邀请 count on 我的, accepts the invitation on 我管理的艺人, enters acting mode
(代为管理), edits the artist's draft and submits it. The draft, read back through the API as the artist,
has the new bio and is pending review. Acting requests carry `X-Artist-Id`, other requests never do, and
leaving acting mode or logging out clears it.

Fixtures from tests/e2e/conftest.py: `platform_url` (`python -m devstack` with the demo seed),
`page` (fails on any request that leaves localhost) and `screenshot_dir`.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, Request, expect

from tests.e2e.h5 import button, confirm_modal, field, fill, shot, sms_login_h5, t

pytestmark = pytest.mark.e2e

ARTIST_PHONE = "13900000014"  # domain/seed.py ARTISTS[13]: 孙浩然 (not the artist test_discovery_h5 edits)
ARTIST_NAME = "孙浩然"
DEMO_CLIENT_PHONE = "13800000001"  # domain/seed.py CLIENTS[0]: invited as 助理, then the invitation is cancelled
UNREGISTERED_PHONE = "13600009999"
AGENT_PHONE = "13600000514"  # registered by this test
ACTING_KEY = "yanyue.acting"
ACTING_PATHS = re.compile(r"/api/v1/(me/artist/(profile(/submit)?|qualifications|cases)|calendar/me)(/|\?|$)")


def register_agent(api: str) -> None:
    """A fresh account through the API: sandbox WeChat login + bound phone, then a 需求方 profile. (Not SMS:
    the phone's 60 s resend cooldown would then block the H5 SMS login a few seconds later.)"""
    with httpx.Client(base_url=f"{api}/api/v1", timeout=10) as c:
        res = c.post("/auth/wechat/login", json={"code": "e2e-team-agent"})
        assert res.status_code == 200, res.text
        auth = {"Authorization": f"Bearer {res.json()['access_token']}"}
        res = c.post("/auth/wechat/phone", headers=auth, json={"code": f"sandbox-phone-{AGENT_PHONE}"})
        assert res.status_code == 200, res.text
        auth = {"Authorization": f"Bearer {res.json()['access_token']}"}
        res = c.put("/me/client-profile", headers=auth, json={
            "org_name": "星光文化经纪有限公司", "industry": "agency", "contact_name": "赵经纪",
            "contact_phone": AGENT_PHONE})
        assert res.status_code == 200, res.text
        assert res.json()["phone"] == f"{AGENT_PHONE[:3]}****{AGENT_PHONE[7:]}"


def storage(page: Page, key: str) -> str | None:
    value = page.evaluate("k => localStorage.getItem(k)", key)
    return value if isinstance(value, str) else None


def test_artist_invites_agent_who_accepts_and_edits_the_profile(platform_url: str, page: Page,
                                                                screenshot_dir: Path) -> None:
    register_agent(platform_url)
    page.set_viewport_size({"width": 390, "height": 844})

    # 1. The artist: 我的 → 我的团队.
    sms_login_h5(page, platform_url, ARTIST_PHONE)
    expect(t(page, "me-name")).to_have_text(ARTIST_NAME)
    expect(t(page, "acting-card")).to_have_count(0)
    t(page, "go-artist-team").click()
    expect(t(page, "team-empty")).to_contain_text("还没有团队成员")

    # Checked before any request.
    fill(page, field(page, "team-phone"), "1360000")
    button(page, "team-add-submit").click()
    expect(t(page, "team-error")).to_have_text("手机号格式不正确")

    # An unregistered phone, the new account as 经纪人, the demo client as 助理: the same answer for each.
    answers = []
    for phone, role, label in [(UNREGISTERED_PHONE, "agent", "经纪人"), (AGENT_PHONE, "agent", "经纪人"),
                               (DEMO_CLIENT_PHONE, "assistant", "助理")]:
        masked = f"{phone[:3]}****{phone[7:]}"
        fill(page, field(page, "team-phone"), phone)
        t(page, f"team-role-{role}").click()
        with page.expect_response(lambda r: r.url.endswith("/me/artist/team") and r.request.method == "POST") as ok:
            button(page, "team-add-submit").click()
        assert ok.value.status == 202, ok.value.text()
        assert ok.value.request.post_data_json == {"phone": phone, "role": role}
        answers.append(ok.value.json())
        expect(t(page, "team-invite-sent")).to_have_text(f"邀请已发送至 {masked}（{label}），对方接受后即加入团队")
        invitation = t(page, "team-invitation").filter(has_text=masked)
        expect(invitation.locator('[data-test="team-invitation-role"]')).to_have_text(label)
        expect(invitation.locator('[data-test="team-invitation-expiry"]')).to_contain_text("前有效")
        expect(field(page, "team-phone")).to_have_value("")
    assert all(set(a) == set(answers[0]) and "user_id" not in a for a in answers), answers
    expect(t(page, "team-error")).to_have_count(0)
    expect(t(page, "team-invitation")).to_have_count(3)
    expect(t(page, "team-empty")).to_contain_text("还没有团队成员")  # nobody joins without accepting
    shot(page, screenshot_dir / "team-01-invited.png")

    # Cancelling asks first.
    assistant = t(page, "team-invitation").filter(has_text="助理")
    with page.expect_response(lambda r: "/team/invitations/" in r.url and r.request.method == "DELETE") as gone:
        assistant.locator('[data-test="team-invitation-cancel"]').click()
        confirm_modal(page, "撤销邀请", screenshot_dir / "team-02-cancel-confirm.png")
    assert gone.value.status == 204
    expect(t(page, "team-invitation")).to_have_count(2)
    expect(t(page, "team-invitation-role")).to_have_text(["经纪人", "经纪人"])

    # The artist's session stays open (read back through the API at the end): leave by clearing storage.
    artist_token = storage(page, "yanyue.access_token")
    assert artist_token
    page.evaluate("localStorage.clear()")
    page.goto("about:blank")  # the next visit starts the app afresh

    # 2. The agent: 我的 (1个团队邀请) → 我管理的艺人 → 接受邀请 → 代为管理.
    requests: list[Request] = []
    page.on("request", lambda r: requests.append(r) if "/api/v1/" in r.url else None)
    sms_login_h5(page, platform_url, AGENT_PHONE)
    expect(t(page, "me-name")).to_have_text("星光文化经纪有限公司")
    expect(t(page, "artist-menu")).to_have_count(0)
    expect(t(page, "team-invite-count")).to_have_text("1个团队邀请")
    t(page, "go-managed").click()
    invite = t(page, "team-invite")
    expect(invite).to_have_count(1)
    expect(invite.locator('[data-test="team-invite-name"]')).to_have_text(ARTIST_NAME)
    expect(invite.locator('[data-test="team-invite-role"]')).to_have_text("经纪人")
    expect(t(page, "managed-empty")).to_be_visible()
    shot(page, screenshot_dir / "team-03-invitation.png")
    with page.expect_response(lambda r: r.url.endswith("/accept") and r.request.method == "POST") as accepted:
        button(page, "team-invite-accept").click()
    assert accepted.value.ok, accepted.value.text()
    managed = accepted.value.json()
    artist_id = managed["artist_id"]
    expect(t(page, "team-invite")).to_have_count(0)
    item = t(page, "managed-artist")
    expect(item).to_have_count(1)
    expect(item.locator('[data-test="managed-name"]')).to_have_text(ARTIST_NAME)
    expect(item.locator('[data-test="managed-role"]')).to_have_text("经纪人")
    shot(page, screenshot_dir / "team-04-managed.png")

    button(page, "managed-manage").click()
    expect(t(page, "acting-card-name")).to_have_text(f"正在代为管理：{ARTIST_NAME}")
    assert f'"artistId":{artist_id}' in (storage(page, ACTING_KEY) or "")
    shot(page, screenshot_dir / "team-05-me-acting.png")

    # 3. The artist's draft, as their agent: banner, edit the bio, submit.
    with page.expect_response(lambda r: r.url.endswith("/me/artist/profile") and r.request.method == "GET") as draft:
        t(page, "go-acting-profile").click()
    assert draft.value.ok, draft.value.text()
    assert draft.value.request.headers.get("x-artist-id") == str(artist_id)
    expect(t(page, "acting-banner-name")).to_have_text(f"正在代为管理：{ARTIST_NAME}")
    expect(t(page, "acting-exit")).to_have_text("退出代管")
    expect(field(page, "pf-stage-name")).to_have_value(ARTIST_NAME)
    invalid = page.locator('[data-test="pf-region"].chip--invalid.chip-active')
    while invalid.count():
        invalid.first.click()
    bio = "经纪人代为更新：前电视台主持人，主持过三百场企业年会与颁奖典礼。"
    fill(page, field(page, "pf-bio", "textarea"), bio)
    with page.expect_request(lambda r: r.url.endswith("/me/artist/profile") and r.method == "PUT") as saved:
        with page.expect_response(lambda r: r.url.endswith("/me/artist/profile/submit")) as submitted:
            button(page, "pf-submit").click()
    assert saved.value.headers.get("x-artist-id") == str(artist_id)
    assert saved.value.post_data_json["bio"] == bio
    assert submitted.value.ok, submitted.value.text()
    assert submitted.value.request.headers.get("x-artist-id") == str(artist_id)
    expect(t(page, "profile-status")).to_contain_text("审核中")
    shot(page, screenshot_dir / "team-06-acting-profile.png", top=True)

    # 我的案例 of the artist, then 退出代管 from its banner.
    page.go_back()
    with page.expect_response(lambda r: r.url.endswith("/me/artist/cases") and r.request.method == "GET") as cases:
        t(page, "go-acting-cases").click()
    assert cases.value.ok and cases.value.request.headers.get("x-artist-id") == str(artist_id)
    expect(t(page, "acting-banner-name")).to_have_text(f"正在代为管理：{ARTIST_NAME}")
    expect(t(page, "case-new")).to_be_visible()
    shot(page, screenshot_dir / "team-07-acting-cases.png")
    t(page, "acting-exit").click()
    confirm_modal(page, "退出代管")
    expect(t(page, "me-head")).to_be_visible()
    expect(t(page, "acting-card")).to_have_count(0)
    assert storage(page, ACTING_KEY) is None

    # Logging out ends acting mode too.
    t(page, "go-managed").click()
    button(page, "managed-manage").click()
    expect(t(page, "acting-card")).to_be_visible()
    assert storage(page, ACTING_KEY)
    button(page, "logout").click()
    confirm_modal(page, "退出登录")
    expect(t(page, "me-guest")).to_be_visible()
    assert storage(page, ACTING_KEY) is None

    # Only the artist-workspace endpoints ever carried the header.
    headed = [r.url for r in requests if r.headers.get("x-artist-id")]
    assert headed and all(ACTING_PATHS.search(u) for u in headed), headed
    assert all(r.headers.get("x-artist-id") is None for r in requests if not ACTING_PATHS.search(r.url))

    # 4. Through the API, as the artist: the draft changed and is pending review.
    res = httpx.get(f"{platform_url}/api/v1/me/artist/profile", headers={"Authorization": f"Bearer {artist_token}"})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["artist_id"] == artist_id
    assert body["status"] == "pending", body
    assert body["data"]["bio"] == bio
    assert body["data"]["stage_name"] == ARTIST_NAME
    team = httpx.get(f"{platform_url}/api/v1/me/artist/team", headers={"Authorization": f"Bearer {artist_token}"})
    assert [(m["phone"], m["role"]) for m in team.json()] == [(f"{AGENT_PHONE[:3]}****{AGENT_PHONE[7:]}", "agent")]

    for png in sorted(screenshot_dir.glob("team-*.png")):
        assert png.stat().st_size > 5000, png
