"""内容审核 in the operator console (admin/), in Chromium against the platform started like `make run`.

A fresh artist (SMS sandbox login) submits a profile change with a new avatar, a case with two pictures and a
qualification through the API; the operator reviews them in the console, and the public API then shows what
was approved. The other moderation pages are opened and screenshotted. Fixtures: tests/e2e/conftest.py.
"""

from __future__ import annotations

import io
import random
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Locator, Page, expect

from tests.e2e.sms_login import sms_headers

pytestmark = pytest.mark.e2e

V1 = "/api/v1"
OPERATOR = ("admin", "yanyue-admin")
# A seeded, verified client (domain/seed.py) that no other browser test logs in by SMS (60 s cooldown per phone).
DEMAND_CLIENT = "13800000002"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# The draft fields ProfileData accepts (the GET adds display-only ones: avatar_url, artist_type_labels).
PROFILE_FIELDS = ("stage_name", "avatar_upload_id", "artist_types", "styles", "city", "regions",
                  "active_since_year", "bio", "works", "team", "prices", "travel_terms")


def png(color: tuple[int, int, int], label: int) -> bytes:
    img = Image.new("RGB", (320, 240), color)
    draw = ImageDraw.Draw(img)
    draw.ellipse((90, 50, 230, 190), fill=(255, 255, 255))
    draw.text((150, 110), str(label), fill=(0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


class Artist:
    """A new artist account driven through the API (the mini-program's calls)."""

    def __init__(self, api: httpx.Client, name: str):
        self.api = api
        self.phone = f"139{random.randrange(10**8):08d}"  # noqa: S311 - a test phone number
        self.headers = sms_headers(api, self.phone)
        me = api.put(f"{V1}/me/artist-profile", headers=self.headers, json={
            "stage_name": name, "artist_types": ["singer"], "styles": ["流行"], "city": "上海",
            "contact_phone": self.phone})
        assert me.status_code == 200, me.text
        self.id = int(me.json()["id"])
        self._pass_onboarding()

    def _pass_onboarding(self) -> None:
        """入驻审核 passed through the operators' API, so the artist is public before the edits this test reviews."""
        signed_in = self.api.post(f"{V1}/admin/auth/login", json={"username": OPERATOR[0], "password": OPERATOR[1]})
        assert signed_in.status_code == 200, signed_in.text
        ops = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        res = self.api.post(f"{V1}/admin/profile-reviews/{self.id}/approve", headers=ops, json={})
        assert res.status_code == 200 and res.json()["listed"], res.text

    def upload(self, purpose: str, data: bytes) -> str:
        intent = self.api.post(f"{V1}/uploads/intent", headers=self.headers,
                               json={"purpose": purpose, "content_type": "image/png"})
        assert intent.status_code == 200, intent.text
        body = intent.json()
        res = self.api.post(body["url"], headers=self.headers, data=body["fields"],
                            files={body["file_field"]: ("photo.png", data, "image/png")})
        assert res.status_code == 200, res.text
        return str(res.json()["upload_id"])

    def submit_profile(self, **changes: object) -> None:
        current = self.api.get(f"{V1}/me/artist/profile", headers=self.headers)
        assert current.status_code == 200, current.text
        data = {k: current.json()["data"][k] for k in PROFILE_FIELDS} | changes
        saved = self.api.put(f"{V1}/me/artist/profile", headers=self.headers, json=data)
        assert saved.status_code == 200, saved.text
        submitted = self.api.post(f"{V1}/me/artist/profile/submit", headers=self.headers)
        assert submitted.status_code == 200, submitted.text
        assert submitted.json()["status"] == "pending", submitted.text

    def create_case(self, title: str) -> dict:
        media = [self.upload("case_image", png((200, 60, 60), 1)), self.upload("case_image", png((60, 60, 200), 2))]
        res = self.api.post(f"{V1}/me/artist/cases", headers=self.headers, json={
            "title": title, "event_type": "公司年会", "performed_on": "2025-12-20",
            "description": "两千人年会，演唱三首歌曲。", "media": media})
        assert res.status_code == 201, res.text
        case = res.json()
        assert case["moderation_status"] == "pending", case
        return case

    def add_qualification(self, title: str) -> dict:
        upload_id = self.upload("licence", png((240, 220, 120), 3))
        res = self.api.post(f"{V1}/me/artist/qualifications", headers=self.headers,
                            json={"upload_id": upload_id, "kind": "certificate", "title": title})
        assert res.status_code == 201, res.text
        return res.json()


def post_demand(api: httpx.Client, event_type: str) -> int:
    """The seeded client posts a demand; it waits for an operator before artists see it."""
    headers = sms_headers(api, DEMAND_CLIENT)
    role = api.post(f"{V1}/me/role", headers=headers, json={"role": "client"})
    assert role.status_code == 200, role.text
    start = datetime.now(UTC) + timedelta(days=30)
    res = api.post(f"{V1}/demands", headers=headers, json={
        "event_type": event_type, "start_at": start.isoformat(), "end_at": (start + timedelta(hours=2)).isoformat(),
        "city": "上海", "venue_address": "浦东新区世纪大道 100 号", "audience_size": 300,
        "budget_min_amount": 500_000, "budget_max_amount": 1_000_000, "artist_types": ["singer"],
        "description": "年会开场演唱两首歌曲。"})
    assert res.status_code == 201, res.text
    assert res.json()["moderation_status"] == "pending", res.text
    return int(res.json()["id"])


@pytest.fixture
def api(platform_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=platform_url, timeout=30, trust_env=False) as client:
        yield client


def public_artist(api: httpx.Client, artist_id: int) -> dict:
    res = api.get(f"{V1}/artists/{artist_id}")
    assert res.status_code == 200, res.text
    return res.json()


def login(page: Page, platform_url: str) -> None:
    page.goto(f"{platform_url}/admin/")
    page.get_by_placeholder("用户名").fill(OPERATOR[0])
    page.get_by_placeholder("密码").fill(OPERATOR[1])
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/dashboard"))  # the console opens on its dashboard


def open_menu(page: Page, title: str, path: str) -> None:
    """Pages of the 内容审核 section, opened from the side menu (the section starts expanded)."""
    page.locator(".el-menu-item").filter(has_text=re.compile(rf"^\s*{title}\s*$")).click()
    expect(page).to_have_url(re.compile(rf"/admin/{path}$"))
    expect(page.locator(".page-title")).to_have_text(title)


def settle(page: Page) -> None:
    """Wait for CSS transitions and images before a screenshot."""
    # Functions, not bare expressions: Playwright evals bare expressions, which the console's CSP refuses.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    page.wait_for_function("() => [...document.images].every(i => i.complete)")


def shot(page: Page, screenshot_dir: Path, name: str) -> None:
    settle(page)
    page.screenshot(path=str(screenshot_dir / f"admin-moderation-{name}.png"), full_page=True)


def image_loaded(img: Locator) -> bool:
    img.scroll_into_view_if_needed()
    img.page.wait_for_function("i => i.complete", arg=img.element_handle())
    return bool(img.evaluate("i => i.naturalWidth > 0"))


def confirm_box(page: Page, button: str) -> None:
    box = page.locator(".el-message-box")
    expect(box).to_be_visible()
    expect(box).to_contain_text(CHINESE)
    box.get_by_role("button", name=button).click()
    expect(box).to_be_hidden()


def success(page: Page, text: str) -> None:
    expect(page.locator(".el-message--success").filter(has_text=text).first).to_be_visible()


def test_operator_moderates_content(platform_url: str, api: httpx.Client, page: Page, screenshot_dir: Path) -> None:
    run = uuid.uuid4().hex[:6]
    artist = Artist(api, f"审核测试{run}")
    avatar = artist.upload("case_image", png((30, 140, 90), 0))
    new_bio = f"十年舞台经验的流行歌手，擅长年会与婚礼演出。{run}"
    artist.submit_profile(bio=new_bio, styles=["流行", "爵士"], avatar_upload_id=avatar)
    case_title = f"星河科技年会开场{run}"
    case = artist.create_case(case_title)
    qualification = artist.add_qualification(f"声乐等级证书{run}")
    demand_type = f"年会商演{run}"
    demand_id = post_demand(api, demand_type)
    assert api.get(f"{V1}/demands/{demand_id}", headers=artist.headers).status_code == 404

    before = public_artist(api, artist.id)
    assert before["bio"] != new_bio
    assert case_title not in [c["title"] for c in before["cases"]]

    login(page, platform_url)
    section = page.locator(".el-sub-menu").filter(has_text="内容审核")
    expect(section).to_be_visible()
    for title in ("资料审核", "案例审核", "需求审核", "评价管理", "资质审核", "标签管理"):
        expect(section.locator(".el-menu-item").filter(has_text=title)).to_be_visible()

    # --- 资料审核: the draft next to the public profile, changed rows highlighted, the new avatar shown.
    open_menu(page, "资料审核", "content/profiles")
    card = page.get_by_test_id(f"profile-review-{artist.id}")
    expect(card).to_be_visible()
    summary = card.locator(".summary")
    for label in ("头像", "风格", "个人简介"):
        expect(summary).to_contain_text(label)
    changed = card.locator("tr.is-changed")
    expect(changed).to_have_count(3)
    expect(changed.filter(has_text="个人简介").locator(".col-draft")).to_contain_text(new_bio)
    expect(changed.filter(has_text="风格").locator(".col-draft")).to_contain_text("新增：爵士")
    expect(card.locator("tr:not(.is-changed)").filter(has_text="艺名").locator(".col-draft")) \
        .to_contain_text(f"审核测试{run}")
    assert image_loaded(card.get_by_test_id("draft-avatar").locator("img"))
    card.scroll_into_view_if_needed()
    shot(page, screenshot_dir, "profiles")

    # Rejecting needs a reason: the dialog refuses an empty one and nothing is decided.
    card.get_by_role("button", name="驳回").click()
    dialog = page.locator(".el-dialog").filter(has_text="驳回资料修改")
    expect(dialog).to_be_visible()
    dialog.get_by_test_id("reason-confirm").click()
    expect(dialog.get_by_text("请填写驳回原因")).to_be_visible()
    shot(page, screenshot_dir, "profiles-reject-dialog")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    expect(card).to_be_visible()

    card.get_by_role("button", name="通过").click()
    confirm_box(page, "通过")
    success(page, "已通过")
    expect(card).to_be_hidden()

    after = public_artist(api, artist.id)
    assert after["bio"] == new_bio
    assert after["styles"] == ["流行", "爵士"]
    assert after["avatar_url"], after

    # --- 案例审核: the machine-check verdict, the pictures through their signed URLs, then approve.
    open_menu(page, "案例审核", "content/cases")
    case_card = page.get_by_test_id(f"case-{case['id']}")
    expect(case_card).to_be_visible()
    expect(case_card).to_contain_text(case_title)
    expect(case_card.locator(".machine-check")).to_have_text(re.compile(r"机审：(通过|建议复核|风险|机审中)"))
    thumbs = case_card.locator(".thumb img")
    expect(thumbs).to_have_count(2)
    assert all(image_loaded(thumbs.nth(i)) for i in range(2))
    case_card.scroll_into_view_if_needed()
    shot(page, screenshot_dir, "cases")

    case_card.get_by_role("button", name="通过").click()
    confirm_box(page, "通过")
    success(page, "已通过案例")
    expect(case_card).to_be_hidden()
    assert case_title in [c["title"] for c in public_artist(api, artist.id)["cases"]]

    # --- 资质审核: the private file opens through a short-lived signed link.
    open_menu(page, "资质审核", "content/qualifications")
    table = page.get_by_test_id("qualifications-table")
    row = table.locator("tr.el-table__row").filter(has_text=qualification["title"])
    expect(row).to_be_visible()
    with page.expect_response(re.compile(rf"/api/v1/admin/qualifications/{qualification['id']}/url$")) as info:
        row.get_by_role("button", name="查看图片").click()
    assert info.value.ok
    viewer = page.locator(".el-dialog").filter(has_text=qualification["title"])
    expect(viewer).to_be_visible()
    assert image_loaded(viewer.locator("img"))
    shot(page, screenshot_dir, "qualification-file")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    shot(page, screenshot_dir, "qualifications")
    row.get_by_role("button", name="通过").click()
    confirm_box(page, "通过")
    success(page, "已通过")
    expect(row).to_be_hidden()
    mine = api.get(f"{V1}/me/artist/qualifications", headers=artist.headers).json()
    assert [q["status"] for q in mine if q["id"] == qualification["id"]] == ["approved"]

    # --- 标签管理: create a tag, give it to the artist, see it on the public page, delete it again.
    open_menu(page, "标签管理", "content/tags")
    tag_name = f"测试标签{run}"
    page.get_by_role("button", name="新建标签").click()
    box = page.locator(".el-message-box")
    box.locator("input").fill(tag_name)
    box.get_by_role("button", name="保存").click()
    success(page, "已新建标签")
    tag_row = page.get_by_test_id("tags-table").locator("tr.el-table__row").filter(has_text=tag_name)
    expect(tag_row.locator(".col-count")).to_have_text("0")

    page.get_by_role("button", name="给艺人打标签").click()
    assign = page.locator(".el-dialog").filter(has_text="给艺人打标签")
    expect(assign).to_be_visible()
    assign.get_by_test_id("assign-artist-id").locator("input").fill(str(artist.id))
    assign.get_by_test_id("assign-tag-select").click()
    page.locator(".el-select-dropdown__item").filter(visible=True).filter(has_text=tag_name).click()
    assign.get_by_test_id("assign-confirm").click()
    success(page, "已添加标签")
    expect(assign.get_by_test_id("assigned-tags")).to_contain_text(tag_name)
    shot(page, screenshot_dir, "tags-assign")
    assign.get_by_role("button", name="关闭", exact=True).click()
    expect(assign).to_be_hidden()
    expect(tag_row.locator(".col-count")).to_have_text("1")
    assert tag_name in public_artist(api, artist.id)["tags"]
    shot(page, screenshot_dir, "tags")

    tag_row.get_by_role("button", name="删除").click()
    confirm_box(page, "删除")
    success(page, "已删除")
    expect(tag_row).to_have_count(0)
    assert tag_name not in public_artist(api, artist.id)["tags"]

    # --- 需求审核: the posted demand, budget in yuan; once approved, artists can open it.
    open_menu(page, "需求审核", "content/demands")
    demands = page.get_by_test_id("demands-table")
    expect(demands.locator(".el-table__header")).to_contain_text("活动类型")
    demand_row = demands.locator("tr.el-table__row").filter(has_text=demand_type)
    expect(demand_row).to_contain_text("¥5,000 – ¥10,000")
    expect(demand_row).to_contain_text("歌手")
    shot(page, screenshot_dir, "demands")
    demand_row.get_by_role("button", name="通过").click()
    confirm_box(page, "通过")
    success(page, "已通过")
    expect(demand_row).to_have_count(0)
    listed = api.get(f"{V1}/demands/{demand_id}", headers=artist.headers)
    assert listed.status_code == 200, listed.text
    assert listed.json()["moderation_status"] == "approved"

    # --- 评价管理: the list renders (rows or an empty state) with Chinese labels.

    open_menu(page, "评价管理", "content/reviews")
    reviews = page.get_by_test_id("reviews-table")
    expect(reviews.locator(".el-table__header")).to_contain_text("评价内容")
    expect(reviews.locator(".el-table__row").first.or_(reviews.get_by_text("暂无评价"))).to_be_visible()
    shot(page, screenshot_dir, "reviews")

    # A deep link into the section survives a reload.
    page.reload()
    expect(page.locator(".page-title")).to_have_text("评价管理")
