"""Signed download links are made per window of time (storage.base.link_window): the same object signed twice in
one window is the same URL in every process, valid at least as long as asked, refused once expired or tampered
with. Time is a fake clock; the S3 presigner is local computation, so no S3 server is needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from storage.base import LINK_STEP_MAX, LinkInvalid, link_window
from storage.local import DOWNLOAD_PATH, LocalStorage
from storage.s3 import S3Storage
from tests.helpers import FakeClock

NOW = 1_800_000_123.4  # not on any window's edge
TTLS = [timedelta(seconds=1), timedelta(seconds=7), timedelta(seconds=90), timedelta(minutes=5),
        timedelta(minutes=30), timedelta(hours=1), timedelta(days=2)]



def _local(tmp_path: Path, clock: FakeClock, secret: str = "test-secret") -> LocalStorage:
    return LocalStorage(tmp_path / "storage", secret, clock=clock)


def _parts(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    q = parse_qs(parts.query)
    return unquote(parts.path[len(DOWNLOAD_PATH):]), q["exp"][0], q["sig"][0]


@pytest.mark.parametrize("ttl", TTLS)
@pytest.mark.parametrize("now", [NOW, 1_800_000_000.0, 1_800_000_599.999])
def test_a_window_keeps_a_link_valid_at_least_as_long_as_asked(ttl: timedelta, now: float) -> None:
    signed_at, expires_at = link_window(now, ttl)
    step = max(1, min(LINK_STEP_MAX, int(ttl.total_seconds() // 6)))
    assert signed_at <= now < signed_at + step
    assert now + ttl.total_seconds() <= expires_at <= now + ttl.total_seconds() + step
    # Asked again later in the same window: the same window.
    assert link_window(signed_at + step - 0.001, ttl) == (signed_at, expires_at)
    assert link_window(signed_at + step, ttl) == (signed_at + step, expires_at + step)


def test_a_negative_lifetime_is_an_expired_link() -> None:
    assert link_window(NOW, timedelta(seconds=-1))[1] < NOW


def test_two_signings_in_one_window_are_the_same_url_in_every_process(tmp_path: Path) -> None:
    clock = FakeClock(NOW)
    storage = _local(tmp_path, clock)
    first = storage.download_url("public/avatars/1.png.thumb.webp", expires=timedelta(hours=1))
    clock.now += 5  # a page cache refill later
    assert storage.download_url("public/avatars/1.png.thumb.webp", expires=timedelta(hours=1)) == first
    # Another API process with the same secret, whose clock reads a little differently.
    other = _local(tmp_path, FakeClock(NOW + 30))
    assert other.download_url("public/avatars/1.png.thumb.webp", expires=timedelta(hours=1)) == first
    clock.now += LINK_STEP_MAX
    assert storage.download_url("public/avatars/1.png.thumb.webp", expires=timedelta(hours=1)) != first


@pytest.mark.parametrize("ttl", TTLS)
def test_a_link_works_for_its_lifetime_and_is_refused_after_it(tmp_path: Path, ttl: timedelta) -> None:
    clock = FakeClock(NOW)
    storage = _local(tmp_path, clock)
    key, exp, sig = _parts(storage.download_url("private/ids/9/front.jpg", expires=ttl))
    clock.now = NOW + ttl.total_seconds()  # as long as asked: still good
    storage.verify_download(key, exp, sig)
    clock.now = int(exp)  # its last second
    storage.verify_download(key, exp, sig)
    clock.now = int(exp) + 1
    with pytest.raises(LinkInvalid):
        storage.verify_download(key, exp, sig)


def test_a_tampered_link_is_refused(tmp_path: Path) -> None:
    storage = _local(tmp_path, FakeClock(NOW))
    key, exp, sig = _parts(storage.download_url("private/ids/9/front.jpg", expires=timedelta(minutes=5)))
    storage.verify_download(key, exp, sig)
    bad_sig = ("0" if sig[0] != "0" else "1") + sig[1:]
    for args in [(key, exp, bad_sig), ("private/ids/9/back.jpg", exp, sig), (key, str(int(exp) + LINK_STEP_MAX), sig),
                 (key, "later", sig)]:
        with pytest.raises(LinkInvalid):
            storage.verify_download(*args)
    with pytest.raises(LinkInvalid):  # another secret cannot vouch for it
        _local(tmp_path, FakeClock(NOW), "other-secret").verify_download(key, exp, sig)


def _s3(clock: FakeClock, public_endpoint: str | None = None) -> S3Storage:
    # Nothing listens on port 9: presigning with a fixed region never contacts the server.
    return S3Storage("127.0.0.1:9", "access", "secret-key", "yanyue", secure=False, region="us-east-1",
                     public_endpoint=public_endpoint, clock=clock)


def _amz(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_a_presigned_s3_url_is_fixed_for_a_window_and_valid_long_enough() -> None:
    clock = FakeClock(NOW)
    s3 = _s3(clock)
    key = "public/avatars/1.png.thumb.webp"
    first = s3.download_url(key, expires=timedelta(hours=1))
    q = _amz(first)
    signed_at = datetime.strptime(q["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
    assert signed_at <= NOW < signed_at + LINK_STEP_MAX and signed_at % LINK_STEP_MAX == 0
    assert signed_at + int(q["X-Amz-Expires"]) >= NOW + 3600  # valid at least an hour from now
    assert int(q["X-Amz-Expires"]) == 3600 + LINK_STEP_MAX
    assert len(q["X-Amz-Signature"]) == 64

    clock.now += 5
    assert s3.download_url(key, expires=timedelta(hours=1)) == first
    assert _s3(FakeClock(NOW + 30)).download_url(key, expires=timedelta(hours=1)) == first  # another process
    public = _s3(FakeClock(NOW + 60), public_endpoint="https://files.yanyue.invalid").download_url(
        key, expires=timedelta(hours=1))
    assert urlsplit(public).netloc == "files.yanyue.invalid"
    assert public == _s3(FakeClock(NOW), public_endpoint="https://files.yanyue.invalid").download_url(
        key, expires=timedelta(hours=1))
    clock.now = signed_at + LINK_STEP_MAX
    later = s3.download_url(key, expires=timedelta(hours=1))
    assert later != first and _amz(later)["X-Amz-Signature"] != q["X-Amz-Signature"]


def test_a_presigned_s3_url_near_the_seven_day_limit_is_signed_now() -> None:
    q = _amz(_s3(FakeClock(NOW)).download_url("private/backups/x.zip", expires=timedelta(days=7)))
    assert q["X-Amz-Expires"] == str(7 * 24 * 3600)
    assert q["X-Amz-Date"] == datetime.fromtimestamp(int(NOW), UTC).strftime("%Y%m%dT%H%M%SZ")
