"""Data for bench/api.py, written with COPY into a migrated throwaway database: approved artists with avatars, price
lists, calendars, tags, cases with images and reviews of completed bookings; clients; one client with ~50 bookings
in every state (events, contracts, payments, refunds) and ~200 notifications; one artist with bookings too.

Real rows of the platform's tables (what the API reads), made in seconds instead of through the workflows."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from typing import Any

from bench.common import copy_rows
from domain.db import get_engine
from domain.enums import ARTIST_TYPE_LABELS
from domain.time import SHANGHAI, utc_now

SURNAMES = "陈林王李张刘杨黄赵吴周徐孙马朱胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "默晚晴小野雨桐一鸣浩然思琪大伟欣然阿杰菲儿明乐岚子涵梓轩宇航欣怡诗雨嘉懿俊杰文博天佑紫萱雅静"
STYLES = ["流行", "抒情", "民谣", "原创", "摇滚", "爵士", "蓝调", "独立", "美声", "古典舞", "街舞", "拉丁舞",
          "年会主持", "婚礼主持", "近景魔术", "舞台魔术", "脱口秀", "古筝", "小提琴"]
CITIES = ["北京"] * 6 + ["上海"] * 6 + ["广州"] * 4 + ["深圳"] * 4 + ["成都"] * 3 + ["杭州"] * 3 + [
    "武汉", "西安", "南京", "重庆", "长沙", "苏州"]
EVENTS = ["年会", "婚礼", "商演", "发布会", "酒会", "庆典", "晚宴"]
BIO = "擅长{a}与{b}，{c}经验丰富，演出近百场，可为{c}、{d}定制节目，团队配合默契，口碑好。"
REVIEW_TEXTS = ["演出效果很好，现场气氛热烈，嘉宾都很满意。", "准时到场，沟通顺畅，曲目安排得当。",
                "非常专业，下次年会还会再约。", "整体不错，互动环节再多一点就更好了。"]
TAGS = ["热门艺人", "本地艺人", "新人推荐", "金牌主持", "婚礼优选", "年会优选"]
TYPES = list(ARTIST_TYPE_LABELS)
# The happy path: (action, actor, to status) of each step after the request.
PATH = [("confirm", "artist", "CONFIRMED"), ("send_contract", "artist", "CONTRACT_SENT"),
        ("sign", "client", "CLIENT_SIGNED"), ("countersign", "artist", "SIGNED"),
        ("deposit_paid", "system", "DEPOSIT_PAID"), ("balance_paid", "system", "FULLY_PAID"),
        ("performed", "system", "PERFORMED"), ("confirm_performance", "client", "ACCEPTED"),
        ("request_settlement", "artist", "SETTLING"), ("settled", "system", "COMPLETED")]
ORDER = ["REQUESTED"] + [to for _, _, to in PATH]
# The bench client's bookings: how many in each status (50 in all).
CLIENT_MIX = {"REQUESTED": 6, "CONFIRMED": 4, "CONTRACT_SENT": 3, "CLIENT_SIGNED": 2, "SIGNED": 3,
              "DEPOSIT_PAID": 4, "FULLY_PAID": 4, "PERFORMED": 2, "ACCEPTED": 2, "SETTLING": 2, "COMPLETED": 10,
              "REJECTED": 2, "EXPIRED": 2, "WITHDRAWN": 1, "CANCELLED": 3}
AFTER_SHOW = {"PERFORMED", "ACCEPTED", "SETTLING", "COMPLETED"}
CLIENT_PHONE = "18800000001"
NOTIFICATION_TITLES = {"booking_request": "新的预约请求", "booking_result": "艺人已报价", "contract": "合同待签署",
                       "payment_due": "请支付定金", "show_tomorrow": "明天有演出", "refund": "退款已到账",
                       "settlement": "结算完成"}


def artist_phone(i: int) -> str:
    return f"13{i:09d}"


@dataclass
class Rows:
    """Rows per table, in COPY column order."""

    tables: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = field(default_factory=dict)

    def add(self, table: str, columns: tuple[str, ...], row: tuple[Any, ...]) -> None:
        self.tables.setdefault(table, (columns, []))[1].append(row)

    def count(self, table: str) -> int:
        return len(self.tables.get(table, ((), []))[1])


@dataclass
class Made:
    client_id: int
    client_phone: str
    artist_id: int
    artist_phone: str
    page_artist_id: int  # an artist with cases, reviews and prices: the artist page measured
    detail_booking_id: int  # the bench client's richest booking (COMPLETED: contract, payments, every event)
    counts: dict[str, int]


class _Gen:
    def __init__(self, rng: random.Random, n_artists: int, n_clients: int):
        self.rng, self.n, self.c = rng, n_artists, n_clients
        self.rows = Rows()
        self.booking_id = self.inquiry_id = self.event_id = self.upload_n = self.case_id = self.notif_id = 0
        self.refund_id = 0
        self.now = utc_now()

    def upload(self, user_id: int, purpose: str, key: str) -> str:
        self.upload_n += 1
        uid = f"00000000-0000-4000-8000-{self.upload_n:012d}"
        self.rows.add("uploads", ("id", "user_id", "purpose", "object_key", "content_type", "size"),
                      (uid, user_id, purpose, f"private/{purpose}/{user_id}/{key}", "image/jpeg", 180_000))
        return uid

    def booking(self, client_id: int, artist_id: int, status: str, start: datetime) -> int:
        rng = self.rng
        self.inquiry_id += 1
        self.booking_id += 1
        b = self.booking_id
        created = min(start - timedelta(days=rng.randint(10, 60)), self.now - timedelta(hours=rng.randint(2, 200)))
        self.rows.add("inquiries", ("id", "client_id", "event_type", "start_at", "end_at", "city", "venue_address",
                                    "duration_minutes", "audience_size", "requirements", "budget_amount",
                                    "contact_name", "contact_phone", "created_at"),
                      (self.inquiry_id, client_id, rng.choice(EVENTS), start, start + timedelta(hours=2),
                       rng.choice(CITIES), "浦东新区世纪大道100号环球金融中心3楼宴会厅", 60, rng.randint(50, 800),
                       "开场两首歌，中场互动十分钟，结尾合唱。", rng.randint(5, 50) * 100_000, "王经理",
                       "13912345678", created))
        # Which steps it went through: the happy path up to its status, or off it for the closed ones.
        reached = ORDER.index(status) if status in ORDER else {
            "REJECTED": 0, "EXPIRED": 0, "WITHDRAWN": 1, "CANCELLED": rng.choice([1, 4, 5])}[status]
        fee = rng.randint(10, 200) * 100_000
        deposit = fee * 30 // 100
        quoted = reached >= 1
        paid = (deposit if reached >= 5 else 0) + (fee - deposit if reached >= 6 else 0)
        refunded = paid if status == "CANCELLED" else 0
        done = status == "COMPLETED"
        self.rows.add("bookings", ("id", "inquiry_id", "client_id", "artist_id", "status", "start_at", "end_at",
                                   "fee_amount", "deposit_amount", "balance_amount", "quote", "commission_rate_bp",
                                   "paid_amount", "refunded_amount", "commission_amount", "payout_amount",
                                   "deadline_at", "reason", "created_at", "updated_at"),
                      (b, self.inquiry_id, client_id, artist_id, status, start, start + timedelta(hours=2),
                       fee if quoted else None, deposit if quoted else None, fee - deposit if quoted else None,
                       {"fee_amount": fee, "deposit_percent": 30, "balance_due_days": 3,
                        "rider": ["舞台 6×4 米", "两支无线话筒"], "note": "含往返交通"} if quoted else None,
                       1000, paid, refunded, fee // 10 if done else None, fee - fee // 10 if done else None,
                       self.now + timedelta(days=2), "档期冲突" if status in ("REJECTED", "CANCELLED") else None,
                       created, created + timedelta(days=3)))
        at = created
        event_cols = ("id", "booking_id", "step", "action", "actor_role", "actor_id", "from_status", "to_status",
                      "data", "created_at")
        self.event_id += 1
        self.rows.add("booking_events", event_cols, (self.event_id, b, "00-request", "request", "client", client_id,
                                                     None, "REQUESTED", {}, at))
        prev = "REQUESTED"
        for n, (action, actor, to) in enumerate(PATH[:reached], start=1):
            at += timedelta(hours=rng.randint(1, 30))
            self.event_id += 1
            actor_id = client_id if actor == "client" else artist_id if actor == "artist" else None
            data = {"fee_amount": fee} if action == "confirm" else {"amount": deposit} if action == "deposit_paid" \
                else {}
            self.rows.add("booking_events", event_cols,
                          (self.event_id, b, f"{n:02d}-{action}", action, actor, actor_id, prev, to, data, at))
            prev = to
        closing = {"REJECTED": ("reject", "artist"), "EXPIRED": ("expire", "system"),
                   "WITHDRAWN": ("withdraw", "client"), "CANCELLED": ("cancel", "client")}.get(status)
        if closing:
            self.event_id += 1
            self.rows.add("booking_events", event_cols,
                          (self.event_id, b, f"90-{closing[0]}", closing[0], closing[1],
                           client_id if closing[1] == "client" else artist_id, prev, status, {},
                           at + timedelta(hours=5)))
        if reached >= 2:  # contract sent
            self.rows.add("contracts", ("booking_id", "terms", "terms_sha256", "sent_at", "client_signed_at",
                                        "client_signer_id", "artist_signed_at", "artist_signer_id"),
                          (b, {"fee_amount": fee, "deposit_percent": 30, "venue": "环球金融中心3楼宴会厅",
                               "clauses": ["甲方按约支付定金与尾款", "乙方按时到场演出", "不可抗力双方互不担责"]},
                           f"{b:064x}", created + timedelta(days=1),
                           created + timedelta(days=2) if reached >= 3 else None, client_id if reached >= 3 else None,
                           created + timedelta(days=2) if reached >= 4 else None, artist_id if reached >= 4 else None))
        pay_cols = ("id", "booking_id", "kind", "amount", "gateway", "status", "paid_at", "created_at")
        if reached >= 4:
            self.rows.add("payment_orders", pay_cols, (f"D{b:012d}", b, "deposit", deposit, "sandbox",
                                                       "paid" if reached >= 5 else "created",
                                                       created + timedelta(days=3) if reached >= 5 else None,
                                                       created + timedelta(days=3)))
        if reached >= 5 and status != "CANCELLED" or reached >= 6:
            self.rows.add("payment_orders", pay_cols, (f"B{b:012d}", b, "balance", fee - deposit, "sandbox",
                                                       "paid" if reached >= 6 else "created",
                                                       created + timedelta(days=5) if reached >= 6 else None,
                                                       created + timedelta(days=5)))
        if refunded:
            self.refund_id += 1
            self.rows.add("refunds", ("id", "booking_id", "step", "amount", "status", "succeeded_at", "created_at"),
                          (self.refund_id, b, "refund-cancel", refunded, "succeeded", at + timedelta(days=1),
                           at + timedelta(hours=6)))
        return b

    def notify(self, user_id: int, booking_id: int | None, at: datetime, read: bool) -> None:
        self.notif_id += 1
        kind = self.rng.choice(list(NOTIFICATION_TITLES))
        self.rows.add("notifications", ("id", "user_id", "booking_id", "step", "kind", "title", "body", "created_at",
                                        "read_at"),
                      (self.notif_id, user_id, booking_id, f"bench-{self.notif_id}", kind, NOTIFICATION_TITLES[kind],
                       "您的预约有新进展：请在小程序「我的预约」中查看详情并及时处理。", at,
                       at + timedelta(minutes=5) if read else None))


def generate(url: str, n_artists: int = 3000, n_clients: int = 500, seed: int = 14) -> Made:
    rng = random.Random(seed)
    g = _Gen(rng, n_artists, n_clients)
    rows = g.rows
    today = utc_now().astimezone(SHANGHAI).date()
    user_cols = ("id", "phone", "status", "verification_status", "created_at")
    for i in range(1, n_artists + 1):
        created = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 500_000))
        rows.add("users", user_cols, (i, artist_phone(i), "active",
                                      "verified" if i == 1 or rng.random() < 0.6 else "unverified", created))
    first_client = n_artists + 1
    bench_client = n_artists + n_clients + 1
    for c in range(first_client, bench_client + 1):
        phone = CLIENT_PHONE if c == bench_client else f"15{c:09d}"
        rows.add("users", user_cols, (c, phone, "active", "verified", datetime(2025, 3, 1, tzinfo=UTC)))
        rows.add("client_profiles", ("user_id", "org_name", "industry", "contact_name", "contact_phone"),
                 (c, f"星河文化传媒有限公司{c}", "enterprise", "王经理", phone))
    for i in range(1, n_artists + 1):
        rich = i <= 20  # the first artists have full pages (the artist page measured is one of them)
        styles = rng.sample(STYLES, rng.choice([1, 2, 3]))
        avatar = g.upload(i, "case_image", f"{g.upload_n:032x}.jpg") if rich or rng.random() < 0.7 else None
        rows.add("artist_profiles", ("user_id", "stage_name", "artist_types", "styles", "city", "contact_phone",
                                     "contact_wechat", "bio", "avatar_upload_id", "regions", "active_since_year",
                                     "works", "team", "travel_terms", "hide_prices", "view_count", "approved_at",
                                     "created_at"),
                 (i, rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)), rng.sample(TYPES, rng.choice([1, 1, 2])),
                  styles, rng.choice(CITIES), artist_phone(i), f"wx_artist_{i}",
                  BIO.format(a=styles[0], b=rng.choice(STYLES), c=rng.choice(EVENTS), d=rng.choice(EVENTS)),
                  avatar, rng.sample(sorted(set(CITIES)), rng.choice([0, 1, 2])), rng.randint(2005, 2024),
                  ["《城南》", "《晚风》"][:rng.randint(0, 2)],
                  json.dumps([{"name": "阿杰", "role": "键盘手"}] if rich else [], ensure_ascii=False),
                  "外地演出另付往返交通与住宿", rng.random() < 0.05 and not rich, rng.randint(0, 5000),
                  datetime(2025, 6, 1, tzinfo=UTC), datetime(2025, 5, 1, tzinfo=UTC)))
        for _ in range(3 if rich else rng.choice([1, 2, 3])):
            lo = rng.randint(20, 300) * 10_000
            rows.add("artist_prices", ("artist_id", "title", "duration_minutes", "min_amount", "max_amount"),
                     (i, rng.choice(["标准演出", "年会套餐", "婚礼套餐"]), rng.choice([30, 60, 90]), lo,
                      lo + rng.randint(0, 200) * 10_000))
        for offset in rng.sample(range(0, 90), 12 if rich else rng.randint(3, 10)):
            start = datetime.combine(today + timedelta(days=offset), dtime(rng.choice([10, 14, 19])), SHANGHAI)
            rows.add("calendar_slots", ("artist_id", "period", "status"),
                     (i, f"[{start.isoformat()},{(start + timedelta(hours=3)).isoformat()})",
                      rng.choice(["booked", "held", "rest", "unavailable", "available"])))
        for tag in rng.sample(range(1, len(TAGS) + 1), 2 if rich else rng.choice([0, 0, 0, 1, 2])):
            rows.add("artist_tags", ("artist_id", "tag_id"), (i, tag))
        for pos in range(4 if rich else rng.choice([0, 0, 1, 2])):
            g.case_id += 1
            rows.add("media_cases", ("id", "artist_id", "title", "event_type", "performed_on", "description",
                                     "position", "moderation_status", "machine_check"),
                     (g.case_id, i, f"{rng.choice(EVENTS)}现场", rng.choice(EVENTS),
                      today - timedelta(days=30 * pos + 9), "三百人年会开场演出，气氛热烈。", pos, "approved", "pass"))
            for m in range(3 if rich else rng.choice([1, 2])):
                rows.add("case_media", ("case_id", "upload_id", "kind", "position", "check_status"),
                         (g.case_id, g.upload(i, "case_image", f"{g.upload_n:032x}.jpg"), "image", m, "pass"))
        # Completed shows with reviews: what cards, ratings and the artist page's reviews read.
        for _ in range(8 if rich else rng.choice([0, 0, 1, 2, 3])):
            client = rng.randint(first_client, bench_client - 1)
            b = g.booking(client, i, "COMPLETED", datetime.combine(today - timedelta(days=rng.randint(20, 400)),
                                                                   dtime(19), SHANGHAI))
            rows.add("reviews", ("booking_id", "client_id", "artist_id", "effect_score", "attitude_score",
                                 "punctuality_score", "text", "reply", "replied_at"),
                     (b, client, i, *(rng.choice([3, 4, 5, 5, 5]) for _ in range(3)), rng.choice(REVIEW_TEXTS),
                      "感谢认可，期待再次合作！" if rng.random() < 0.5 else None,
                      g.now if rng.random() < 0.5 else None))
    # The bench client: 50 bookings over every state, a fifth of them with artist 1 (the bench artist).
    detail = 0
    for status, k in CLIENT_MIX.items():
        for _ in range(k):
            artist = 1 if rng.random() < 0.2 else rng.randint(2, n_artists)
            days = rng.randint(-200, -5) if status in AFTER_SHOW else rng.randint(5, 120)
            b = g.booking(bench_client, artist, status, datetime.combine(today + timedelta(days=days), dtime(19),
                                                                         SHANGHAI))
            if status == "COMPLETED" and not detail:
                detail = b
            for _ in range(4):  # ~200 notifications about them
                g.notify(bench_client, b, g.now - timedelta(hours=rng.randint(1, 2000)), rng.random() < 0.7)
    # The bench artist's other bookings, from other clients, and notifications.
    for _ in range(40):
        status = rng.choice(list(CLIENT_MIX))
        days = rng.randint(-200, -5) if status in AFTER_SHOW else rng.randint(5, 120)
        b = g.booking(rng.randint(first_client, bench_client - 1), 1, status,
                      datetime.combine(today + timedelta(days=days), dtime(19), SHANGHAI))
        for _ in range(3):
            g.notify(1, b, g.now - timedelta(hours=rng.randint(1, 2000)), rng.random() < 0.7)
    raw = get_engine(url).raw_connection()
    counts: dict[str, int] = {}
    try:
        cur = raw.cursor()
        copy_rows(cur, "tags", ("id", "name"), list(enumerate(TAGS, start=1)))
        for table in ("users", "uploads", "client_profiles", "artist_profiles", "artist_prices", "calendar_slots",
                      "artist_tags", "media_cases", "case_media", "inquiries", "bookings", "booking_events",
                      "contracts", "payment_orders", "refunds", "reviews", "notifications"):
            if table in rows.tables:
                columns, values = rows.tables[table]
                counts[table] = copy_rows(cur, table, columns, values)
        for table in ("users", "tags", "artist_prices", "calendar_slots", "media_cases", "case_media", "inquiries",
                      "bookings", "booking_events", "refunds", "reviews", "notifications"):
            # Fixed table names, no user input.
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
        raw.commit()
    finally:
        raw.close()
    return Made(client_id=bench_client, client_phone=CLIENT_PHONE, artist_id=1, artist_phone=artist_phone(1),
                page_artist_id=2, detail_booking_id=detail, counts=counts)
