"""The load profile bench/load.py runs with locust (gevent: never import this from the tests or the platform).

Three kinds of people, all on loopback against one running platform:
- Browser (most traffic): searches the catalogue (keyword, city, type, price, date, sort, pages) and opens artist
  pages (detail, calendar, reviews), anonymously.
- Booker: one client–artist pair of its own, driving a booking step by step from the inquiry through the quote,
  the contract (both signatures with their SMS codes), the deposit and the balance through the sandbox cashier, or
  cancelling on the way; between steps it reads its booking, its list and its notifications as the apps do.
- Chatter: another pair talking in their conversation, the two sides in turn (far below 30 messages a minute per
  sender), and reading history, unread counts and notifications.

LOAD_USERS (a JSON file bench/load.py writes) gives the catalogue and the pairs with their access tokens;
LOAD_STEPS (users per step, comma-separated), LOAD_STEP_SECONDS and LOAD_WARMUP_SECONDS shape the run; every
request inside a step's measured window (after its warm-up) is recorded raw and written to LOAD_OUT when the run
ends, for bench/load.py to summarise."""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from locust import FastHttpUser, LoadTestShape, between, events, task

V1 = "/api/v1"
DATA: dict[str, Any] = json.loads(open(os.environ["LOAD_USERS"], encoding="utf-8").read())  # noqa: SIM115
STEPS = [int(x) for x in os.environ.get("LOAD_STEPS", "5,10,20,40").split(",")]
STEP_SECONDS = float(os.environ.get("LOAD_STEP_SECONDS", "60"))
WARMUP = float(os.environ.get("LOAD_WARMUP_SECONDS", "10"))
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "20"))
PAIRS = iter(DATA["pairs"])  # each Booker / Chatter takes its own pair, so no rate limit is shared
SHANGHAI_OFFSET = timedelta(hours=8)
FEE = 1_200_000
KEYWORDS = ["流行", "民谣", "爵士", "主持", "魔术", "乐队", "小提琴", "街舞", "林", "陈"]
CITIES = ["北京", "上海", "广州", "深圳", "成都", "杭州"]
TYPES = ["singer", "band", "dancer", "host", "magician"]
SORTS = ["relevance", "popularity", "rating", "price_asc", "newest"]
SIGNATURE = DATA["signature_png_base64"]
CHAT = [
    "您好，年会那天的演出时间我们再确认一下。",
    "好的，开场两首歌，中场互动十分钟可以吗？",
    "没问题，需要我们准备音响吗？",
    "场地有音响，麦克风请自带两支。",
    "收到，我们提前一小时到场彩排。",
    "谢谢，合同里写清楚曲目就好。",
]

# --- what a step saw: every request in its measured window, raw

started_at = time.monotonic()
started_wall = time.time()  # for bench/load.py to line its CPU samples up with the steps
records: list[list[Any]] = [[] for _ in STEPS]  # per step: [group, name, ms, ok]


def current_step(now: float) -> tuple[int, bool]:
    """The step index at `now` and whether `now` is inside its measured window."""
    elapsed = now - started_at
    index = int(elapsed // STEP_SECONDS)
    return index, index < len(STEPS) and elapsed - index * STEP_SECONDS >= WARMUP


@events.request.add_listener
def on_request(request_type: str, name: str, response_time: float, exception: Exception | None,
               **_: Any) -> None:
    index, measured = current_step(time.monotonic())
    if measured:
        group = name.split(":", 1)[0]
        records[index].append([group, name, round(response_time, 2), exception is None])


@events.test_start.add_listener
def on_start(**_: Any) -> None:
    global started_at, started_wall
    started_at, started_wall = time.monotonic(), time.time()


@events.quitting.add_listener
def on_quit(**_: Any) -> None:
    out = os.environ.get("LOAD_OUT")
    if out:
        window = STEP_SECONDS - WARMUP
        with open(out, "w", encoding="utf-8") as f:
            json.dump([{"users": users, "seconds": window, "requests": recs,
                        "from": started_wall + i * STEP_SECONDS + WARMUP, "to": started_wall + (i + 1) * STEP_SECONDS}
                       for i, (users, recs) in enumerate(zip(STEPS, records, strict=True))], f)


class Steps(LoadTestShape):
    """5, 10, 20, 40 … users, each for STEP_SECONDS; then the run ends."""

    def tick(self) -> tuple[int, float] | None:
        index = int(self.get_run_time() // STEP_SECONDS)
        return (STEPS[index], SPAWN_RATE) if index < len(STEPS) else None


# --- the people


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Browser(FastHttpUser):
    weight = 6
    wait_time = between(0.5, 2.0)

    @task(5)
    def search(self) -> None:
        params: dict[str, Any] = {"page_size": 20, "page": random.choice([1, 1, 1, 2, 3])}
        if random.random() < 0.6:
            params["q"] = random.choice(KEYWORDS)
        if random.random() < 0.5:
            params["city"] = random.choice(CITIES)
        if random.random() < 0.3:
            params["artist_type"] = random.choice(TYPES)
        if random.random() < 0.2:
            params["price_max"] = random.choice([50_000_00, 100_000_00])
        if random.random() < 0.2:
            params["available_on"] = (datetime.now(UTC) + SHANGHAI_OFFSET
                                      + timedelta(days=random.randint(1, 60))).date().isoformat()
        if random.random() < 0.5:
            params["sort"] = random.choice(SORTS)
        self.client.get(f"{V1}/artists", params=params, name="browse:search")

    @task(3)
    def artist_page(self) -> None:
        artist = random.choice(DATA["catalog"])
        self.client.get(f"{V1}/artists/{artist}", name="browse:artist")
        if random.random() < 0.5:
            self.client.get(f"{V1}/artists/{artist}/calendar", name="browse:artist calendar")
        if random.random() < 0.3:
            self.client.get(f"{V1}/artists/{artist}/reviews", name="browse:artist reviews")

    @task(1)
    def home(self) -> None:
        self.client.get(f"{V1}/home", name="browse:home")


class Paired(FastHttpUser):
    abstract = True

    def on_start(self) -> None:
        pair = next(PAIRS, None)
        if pair is None:
            raise RuntimeError("LOAD_USERS has fewer pairs than Booker and Chatter users")
        self.pair = pair
        self.client_h, self.artist_h = bearer(pair["client"]["token"]), bearer(pair["artist"]["token"])

    def read_notifications(self, headers: dict[str, str]) -> None:
        self.client.get(f"{V1}/notifications", params={"page_size": 20}, headers=headers, name="read:notifications")
        self.client.get(f"{V1}/notifications/unread-count", headers=headers, name="read:notifications unread")


class Booker(Paired):
    """One booking at a time; each task run takes its next step (or waits for a payment to land)."""

    weight = 2
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        super().on_start()
        self.days = itertools.count(30)  # each inquiry on its own evening, a month out and later
        self.booking_id: int | None = None
        self.status = ""
        self.cancel_at = ""
        self.waiting_for = ""  # the status a payment made lands as, once the workflow has taken it

    def act(self, headers: dict[str, str], action: str, body: dict[str, Any] | None = None) -> dict[str, Any] | None:
        assert self.booking_id is not None
        body = dict(body or {})
        if action in ("sign", "countersign"):  # the signer's SMS code first, as the contract page does
            with self.client.post(f"{V1}/bookings/{self.booking_id}/contract/sign-code", headers=headers,
                                  name="booking:sign code", catch_response=True) as res:
                if res.status_code != 200:
                    res.failure(f"{res.status_code} {res.text[:200]}")
                    self.booking_id = None
                    return None
                body["sms_code"] = res.json()["sandbox_code"]
        with self.client.post(f"{V1}/bookings/{self.booking_id}/actions/{action}", headers=headers, json=body,
                              name=f"booking:{action}", catch_response=True) as res:
            if res.status_code != 200:
                res.failure(f"{res.status_code} {res.text[:200]}")
                self.booking_id = None  # start over with a new inquiry
                return None
            out: dict[str, Any] = res.json()
        self.status = out["status"]
        return out

    def inquire(self) -> None:
        day = (datetime.now(UTC) + SHANGHAI_OFFSET).date() + timedelta(days=next(self.days))
        start = datetime(day.year, day.month, day.day, 11, tzinfo=UTC)  # 19:00 in Shanghai
        with self.client.post(f"{V1}/inquiries", headers=self.client_h, name="booking:inquiry", catch_response=True,
                              json={"artist_ids": [self.pair["artist"]["id"]], "event_type": "公司年会",
                                    "start_at": start.isoformat(), "end_at": (start + timedelta(hours=2)).isoformat(),
                                    "city": "上海", "venue_address": "浦东新区世纪大道1号", "audience_size": 300,
                                    "requirements": "开场两首歌", "budget_amount": 2_000_000, "contact_name": "王经理",
                                    "contact_phone": self.pair["client"]["phone"]}) as res:
            if res.status_code != 201:
                res.failure(f"{res.status_code} {res.text[:200]}")
                return
            self.booking_id = int(res.json()["bookings"][0]["id"])
        self.status, self.waiting_for = "REQUESTED", ""
        # About one booking in five is called off: before the contract, or after the deposit (a refund).
        self.cancel_at = random.choices(["", "CONFIRMED", "DEPOSIT_PAID"], weights=[8, 1, 1])[0]

    def pay(self, action: str, lands_as: str) -> None:
        started = self.act(self.client_h, action)
        if started is None:
            return
        order, url = started["payment_order_id"], started["pay_url"]
        self.client.get(url, name="booking:cashier page")
        with self.client.post(f"{V1}/payments/sandbox/{order}/confirm", allow_redirects=False,
                              name="booking:sandbox pay", catch_response=True) as res:
            if res.status_code != 303 or "notice" in res.headers.get("location", ""):
                res.failure(f"{res.status_code} {res.headers.get('location')}")
                self.booking_id = None
                return
        # The callback is in; the workflow takes the payment after the answer: the app polls until it shows.
        self.waiting_for = lands_as

    @task
    def step(self) -> None:
        if self.booking_id is None:
            self.inquire()
            return
        if self.waiting_for:
            res = self.client.get(f"{V1}/bookings/{self.booking_id}", headers=self.client_h,
                                  name="read:booking detail")
            if res.status_code == 200 and res.json()["status"] == self.waiting_for:
                self.status, self.waiting_for = self.waiting_for, ""
            return
        if self.cancel_at and self.status == self.cancel_at:
            self.act(self.client_h, "cancel", {"reason": "活动取消"})
            self.booking_id = None
            return
        match self.status:
            case "REQUESTED":
                self.act(self.artist_h, "confirm", {"quote": {"fee_amount": FEE, "deposit_percent": 30,
                                                              "balance_due_days": 0}})
            case "CONFIRMED":
                self.act(self.artist_h, "send_contract")
            case "CONTRACT_SENT":
                self.act(self.client_h, "sign", {"signature_png_base64": SIGNATURE})
            case "CLIENT_SIGNED":
                self.act(self.artist_h, "countersign", {"signature_png_base64": SIGNATURE})
            case "SIGNED":
                self.pay("pay_deposit", "DEPOSIT_PAID")
            case "DEPOSIT_PAID":
                self.pay("pay_balance", "FULLY_PAID")
            case _:  # FULLY_PAID: the show is weeks away; this booking waits for it, the pair books the next one
                self.booking_id = None

    @task
    def read(self) -> None:
        headers = random.choice([self.client_h, self.artist_h])
        self.client.get(f"{V1}/bookings", params={"page_size": 20}, headers=headers, name="read:booking list")
        if self.booking_id is not None:
            self.client.get(f"{V1}/bookings/{self.booking_id}", headers=headers, name="read:booking detail")
        self.read_notifications(headers)


class Chatter(Paired):
    weight = 2
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        super().on_start()
        self.conversation = self.pair["conversation_id"]
        self.turn = itertools.cycle([self.client_h, self.artist_h])
        self.lines = itertools.cycle(CHAT)

    @task(3)
    def send(self) -> None:
        self.client.post(f"{V1}/chat/conversations/{self.conversation}/messages", headers=next(self.turn),
                         json={"client_msg_id": str(uuid.uuid4()), "kind": "text", "text": next(self.lines)},
                         name="chat:send")

    @task(1)
    def history(self) -> None:
        headers = random.choice([self.client_h, self.artist_h])
        self.client.get(f"{V1}/chat/conversations/{self.conversation}/messages", headers=headers, name="chat:history")
        self.client.get(f"{V1}/chat/unread-count", headers=headers, name="chat:unread")

    @task(1)
    def notifications(self) -> None:
        self.read_notifications(random.choice([self.client_h, self.artist_h]))
