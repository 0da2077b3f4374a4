"""Helpers for driving the mini-program's H5 build in Chromium (uni-app renders its own <uni-input>,
<uni-button>, .uni-modal … around the real elements; pages mark controls with data-test)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

PHONE_VIEWPORT = {"width": 390, "height": 844}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def t(page: Page, name: str) -> Locator:
    return page.locator(f'[data-test="{name}"]')


def field(page: Page, name: str, tag: str = "input") -> Locator:
    """The real <input>/<textarea> inside a uni-app <uni-input data-test=name>."""
    return page.locator(f'[data-test="{name}"] {tag}')


def fill(page: Page, target: Locator, value: str) -> None:
    """Type into a uni-app field. uni throttles its v-model updates (100 ms, and fill() clears the field
    first), so give the model time to catch up before a tap reads it."""
    target.fill(value)
    expect(target).to_have_value(value)
    page.wait_for_timeout(250)


def button(page: Page, name: str) -> Locator:
    return page.locator(f'uni-button[data-test="{name}"]')


def confirm_modal(page: Page, title: str, screenshot: Path | None = None) -> None:
    """uni.showModal on H5: a .uni-modal with the title; the confirm button is the primary one."""
    modal = page.locator(".uni-modal")
    expect(modal).to_be_visible()
    expect(modal.locator(".uni-modal__title")).to_have_text(title)
    if screenshot is not None:
        page.wait_for_timeout(300)  # let the fade-in finish
        page.screenshot(path=str(screenshot))
    modal.locator(".uni-modal__btn_primary").click()
    expect(modal).to_be_hidden()


def shot(page: Page, path: Path, *, top: bool = False) -> None:
    """A screenshot once any toast has gone (optionally scrolled to the top of the page)."""
    expect(page.locator("uni-toast")).to_be_hidden(timeout=5000)
    if top:
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(100)
    page.screenshot(path=str(path))


def overflowing(page: Page) -> list[str]:
    """Visible elements that stick out on the right of a phone screen: wider than the viewport or past its
    right edge, unless an ancestor within the screen clips them (swipers, horizontal scroll views)."""
    result = page.evaluate("""() => {
        const w = document.documentElement.clientWidth, out = [];
        if (document.documentElement.scrollWidth > w + 1) out.push('document ' + document.documentElement.scrollWidth);
        const clipped = el => {
            for (let p = el.parentElement; p; p = p.parentElement) {
                const s = getComputedStyle(p);
                if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= w + 1) return true;
            }
            return false;
        };
        for (const el of document.querySelectorAll('uni-page-body *')) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 || r.height === 0 || r.right <= w + 1) continue;
            if (getComputedStyle(el).visibility === 'hidden' || clipped(el)) continue;
            const name = el.getAttribute('data-test') || el.className || el.tagName;
            out.push(name + ' right=' + Math.round(r.right));
        }
        return out.slice(0, 10);
    }""")
    return list(result)


def sms_login_h5(page: Page, api: str, phone: str, redirect: str = "/pages/me/index") -> None:
    """Sandbox SMS login on the login page. The sandbox keeps a 60 s resend cooldown per phone: when another
    test sent this phone a code a moment ago, wait out the time the API names and send again."""
    page.goto(f"{api}/h5/#/pages/login/index?redirect={redirect.replace('/', '%2F')}")
    send_sms_code(page, phone)
    field(page, "code-input").fill(t(page, "sandbox-code").inner_text().strip())
    button(page, "login-submit").click()
    if redirect == "/pages/me/index":
        expect(t(page, "me-head")).to_be_visible()


def send_sms_code(page: Page, phone: str) -> None:
    """On the open login page: the phone, 获取验证码, and the sandbox code shown. The sandbox keeps a 60 s resend
    cooldown per phone: when another test sent this phone a code a moment ago, wait out the time the API names."""
    field(page, "phone-input").fill(phone)
    for _ in range(3):
        with page.expect_response(lambda r: r.url.endswith("/auth/sms/send")) as sent:
            t(page, "send-code").click()
        if sent.value.ok:
            break
        body = sent.value.json()
        assert sent.value.status == 429 and body.get("code") == "sms_too_frequent", body
        wait = int((body.get("detail") or {}).get("retry_after", 60))
        page.wait_for_timeout((wait + 1) * 1000)  # the platform's resend timer
        page.reload()
        field(page, "phone-input").fill(phone)
    expect(t(page, "sandbox-code")).to_have_text(re.compile(r"^\d{6}$"))


def logout_h5(page: Page, api: str) -> None:
    """我的 → 退出登录 (confirmed)."""
    page.goto(f"{api}/h5/#/pages/me/index")
    button(page, "logout").click()
    confirm_modal(page, "退出登录")
    expect(t(page, "me-guest")).to_be_visible()


# --- uni-app's own H5 pickers (below 500 px wide every mode is a bottom sheet of picker-view columns)


def open_picker(page: Page, trigger: Locator) -> Locator:
    """Open a uni-app H5 <picker> and wait until its bottom sheet has slid in; returns its columns.

    Below 500 px uni renders every mode (selector and date alike) as a picker-view: one column per field,
    each moved one row per wheel notch and read back only through 完成 (`.uni-picker-action-confirm`)."""
    trigger.click()
    sheet = page.locator(".uni-picker-custom.uni-picker-toggle")
    expect(sheet).to_be_visible()
    columns = sheet.locator("uni-picker-view-column")
    expect(columns.first).to_be_visible()
    last = None
    for _ in range(40):  # the sheet slides up (CSS transition); wait for it to stop moving
        box = sheet.bounding_box()
        if box is not None and box == last:
            break
        last = box
        page.wait_for_timeout(50)
    return columns


def spin(page: Page, column: Locator, steps: int) -> None:
    """Move a picker column by `steps` rows (negative: up) with the mouse wheel, as on a desktop browser."""
    if not steps:
        return
    box = column.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(abs(steps)):
        page.mouse.wheel(0, 60 if steps > 0 else -60)
        page.wait_for_timeout(25)
    page.wait_for_timeout(150)


def confirm_picker(page: Page) -> None:
    page.locator(".uni-picker-toggle .uni-picker-action-confirm").click()
    expect(page.locator(".uni-picker-custom.uni-picker-toggle")).to_have_count(0)
    expect(page.locator("uni-app > .uni-picker-container")).to_have_count(0)  # slid out, back in its <picker>


def pick_date(page: Page, trigger: Locator, target: date, today: date, shot: Path | None = None) -> None:
    """Drive the 年/月/日 columns of a mode=date picker to `target`. The picker opens on the value shown on
    the trigger (or today); uni clamps a day the month lacks, so a second pass corrects any such drift."""
    for _ in range(3):
        shown = trigger.inner_text().strip()
        current = date.fromisoformat(shown) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", shown) else today
        if current == target:
            return
        columns = open_picker(page, trigger)
        expect(columns).to_have_count(3)
        expect(columns.nth(0)).to_contain_text(f"{target.year}年")
        spin(page, columns.nth(0), target.year - current.year)
        spin(page, columns.nth(1), target.month - current.month)
        spin(page, columns.nth(2), target.day - current.day)
        if shot is not None:
            page.screenshot(path=str(shot))
        confirm_picker(page)
    expect(trigger).to_have_text(target.isoformat())


def column_value(column: Locator) -> str:
    """The row of a picker-view column under its indicator (the selected one)."""
    return str(column.evaluate("""col => {
        const ind = col.querySelector('.uni-picker-view-indicator').getBoundingClientRect();
        const y = ind.top + ind.height / 2;
        for (const el of col.querySelectorAll('.uni-picker-view-content > *')) {
            const r = el.getBoundingClientRect();
            if (r.top <= y && r.bottom > y) return el.textContent.trim();
        }
        return '';
    }""")).strip()


def spin_to(page: Page, column: Locator, target: int) -> None:
    """Wheel a numeric picker-view column one row at a time until its selected row reads `target`."""
    box = column.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    for _ in range(80):
        m = re.match(r"\d+", column_value(column))
        assert m, column_value(column)
        current = int(m.group(0))
        if current == target:
            return
        steps = min(abs(target - current), 5)
        for _ in range(steps):
            page.mouse.wheel(0, 60 if current < target else -60)
            page.wait_for_timeout(25)
        page.wait_for_timeout(250)  # the column settles on a row
    raise AssertionError(f"picker column never reached {target}: {column_value(column)}")


def pick_wd_time(page: Page, trigger: Locator, hour: int, minute: int) -> None:
    """wot-design-uni <wd-datetime-picker type="time">: its bottom popup's hour and minute columns, then 完成."""
    trigger.click()
    popup = trigger.locator(".wd-datetime-picker__popup")
    columns = popup.locator("uni-picker-view-column:visible")
    expect(columns).to_have_count(2)
    page.wait_for_timeout(400)  # slides in (300 ms)
    spin_to(page, columns.nth(0), hour)
    spin_to(page, columns.nth(1), minute)
    popup.locator(".wd-datetime-picker__action:not(.wd-datetime-picker__action--cancel)").click()
    expect(trigger.locator(".wd-datetime-picker__cell")).to_contain_text(f"{hour:02d}:{minute:02d}")
    page.wait_for_timeout(400)  # slides out
