"""NotificationDeliveryWorkflow on the time-skipping server, against the loopback fake of WeChat's
subscribeMessage.send: a busy WeChat is retried with backoff until it answers, a permanent refusal is recorded at
once, an outage that outlasts the retries ends failed (never retried forever), and a second workflow for the same
notification and channel is refused. The worker's dispatcher starts one workflow per pending row on a real
channel and sends the rows on a sandbox channel itself."""

from __future__ import annotations

import asyncio
import gc
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from activities.notifications import NotificationDispatchPlugin
from api.context import AppContext
from domain.models import NotificationDelivery, NotificationSetting
from domain.notifications.delivery import Channels
from domain.notifications.kinds import Kind
from domain.notifications.messages import workflow_id
from domain.notifications.service import notify
from domain.time import utc_now
from integrations.realname.sandbox import SandboxRealNameChecker
from integrations.sms.sandbox import SandboxSmsSender
from integrations.wechat.miniprogram import WechatMiniProgramAuth
from integrations.wechat.subscribe import WechatSubscribeMessenger
from tests.factories import user_row
from tests.fakes.wechat_api import FakeWechatApi, fake_wechat_api
from workers.runtime import build_worker
from workflows.notifications import MAX_ATTEMPTS, NotificationDeliveryWorkflow

TEMPLATE = "tpl-request-AbC123"


@pytest.fixture
def wx() -> Iterator[FakeWechatApi]:
    with fake_wechat_api() as fake:
        fake.add_template(TEMPLATE)
        yield fake


@pytest.fixture
async def queue(temporal_env: Any, ctx: AppContext, wx: FakeWechatApi) -> AsyncIterator[str]:
    """A worker of the platform on a queue of its own, sending WeChat through the fake (SMS: the sandbox)."""
    name = f"notify-{uuid.uuid4()}"
    channels = Channels(wechat=WechatSubscribeMessenger(WechatMiniProgramAuth(wx.appid, wx.secret,
                                                                              api_base=wx.base_url)),
                        sms=SandboxSmsSender(), wechat_templates={"booking_request": TEMPLATE})
    async with build_worker(temporal_env.client, ctx.settings, ctx.database_url, checker=SandboxRealNameChecker(),
                            channels=channels, task_queue=name):
        yield name


@pytest.fixture
async def only_this_dispatcher(queue: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pause every other worker's dispatcher in this process: the session's platform worker (started by earlier
    API tests) dispatches every pending row of the shared test database too, with its own channels (WeChat in the
    sandbox), and would send this test's WeChat row through the sandbox instead of the fake."""

    async def idle() -> int:
        return 0

    for plugin in [o for o in gc.get_objects() if isinstance(o, NotificationDispatchPlugin)]:
        if plugin.task_queue != queue:
            monkeypatch.setattr(plugin, "job", idle)
    await asyncio.sleep(0.5)  # a tick already running finishes with the rows it read before


def _request_for(db: Session, openid: str, *, dispatched: bool) -> tuple[int, int, int]:
    """A booking request notification for a user who accepted its template once: (notification, wechat, sms)."""
    user = user_row(db, wechat_openid=openid)
    db.add(NotificationSetting(user_id=user.id, kind="booking_request", channel="wechat", enabled=True, credits=1))
    db.flush()
    note = notify(db, user.id, Kind.BOOKING_REQUEST, "收到新的演出邀约", "有需求方向您发起了演出邀约，请及时确认报价",
                  booking_id=None, step=f"t:{uuid.uuid4()}")
    assert note is not None
    if dispatched:  # the test starts the workflow itself: keep the dispatcher away from these rows
        db.execute(update(NotificationDelivery).where(NotificationDelivery.notification_id == note)
                   .values(dispatched_at=utc_now()))
    db.commit()
    rows = {d.channel: d.id for d in db.query(NotificationDelivery).filter_by(notification_id=note)}
    return note, rows["wechat"], rows["sms"]


def _row(db: Session, delivery_id: int) -> NotificationDelivery:
    db.expire_all()
    row = db.get(NotificationDelivery, delivery_id)
    assert row is not None
    return row


async def _deliver(temporal_env: Any, queue: str, note: int, delivery_id: int) -> str:
    return str(await temporal_env.client.execute_workflow(
        NotificationDeliveryWorkflow.run, delivery_id, id=workflow_id(note, "wechat"), task_queue=queue,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE))


async def test_a_busy_wechat_is_retried_until_it_answers_and_the_message_goes_once(
        temporal_env: Any, queue: str, wx: FakeWechatApi, db: Session):
    openid = "oRetry" + uuid.uuid4().hex[:10]
    wx.subscribe(openid, TEMPLATE)
    wx.fail_openid(openid, -1, -1)  # system busy twice
    note, wechat, _ = _request_for(db, openid, dispatched=True)

    assert await _deliver(temporal_env, queue, note, wechat) == "sent"
    row = _row(db, wechat)
    assert (row.status, row.attempts, row.last_error, row.sent_at is not None) == ("sent", 3, None, True)
    assert [m["touser"] for m in wx.subscribe_sent] == [openid]
    # The same notification and channel again: Temporal refuses a second workflow, nothing is sent twice.
    with pytest.raises(WorkflowAlreadyStartedError):
        await _deliver(temporal_env, queue, note, wechat)
    assert len(wx.subscribe_sent) == 1


async def test_a_refusal_fails_at_once_and_an_outage_fails_after_bounded_retries(
        temporal_env: Any, queue: str, wx: FakeWechatApi, db: Session):
    refused = "oRefused" + uuid.uuid4().hex[:10]  # never accepted the template: 43101
    note, wechat, _ = _request_for(db, refused, dispatched=True)
    assert await _deliver(temporal_env, queue, note, wechat) == "failed"
    row = _row(db, wechat)
    assert (row.status, row.attempts, row.reason) == ("failed", 1, "用户拒绝接受消息或订阅次数已用完")

    down = "oDown" + uuid.uuid4().hex[:10]
    wx.subscribe(down, TEMPLATE)
    wx.fail_openid(down, *([-1] * (MAX_ATTEMPTS + 5)))
    note, wechat, _ = _request_for(db, down, dispatched=True)
    assert await _deliver(temporal_env, queue, note, wechat) == "failed"
    row = _row(db, wechat)
    assert (row.status, row.attempts, row.reason) == ("failed", MAX_ATTEMPTS, "多次发送失败，已停止重试")
    assert row.last_error is not None and "(-1)" in row.last_error
    assert len(wx.failing_openids[down]) == 5 and wx.subscribe_sent == []  # exactly MAX_ATTEMPTS calls


async def test_the_dispatcher_starts_a_workflow_per_real_channel_and_sends_sandbox_ones_itself(
        temporal_env: Any, queue: str, wx: FakeWechatApi, db: Session, only_this_dispatcher: None):
    openid = "oDispatch" + uuid.uuid4().hex[:10]
    wx.subscribe(openid, TEMPLATE)
    note, wechat, sms = _request_for(db, openid, dispatched=False)
    for _ in range(100):
        if _row(db, wechat).status != "pending" and _row(db, sms).status != "pending":
            break
        await asyncio.sleep(0.1)
    assert (_row(db, wechat).status, _row(db, sms).status) == ("sent", "sent")
    assert _row(db, wechat).dispatched_at is not None and len(wx.subscribe_sent) == 1
    handle = temporal_env.client.get_workflow_handle(workflow_id(note, "wechat"))
    assert await handle.result() == "sent"
    with pytest.raises(WorkflowAlreadyStartedError):
        await temporal_env.client.start_workflow(
            NotificationDeliveryWorkflow.run, wechat, id=workflow_id(note, "wechat"), task_queue=queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
    # The SMS goes through the sandbox (nothing leaves the machine): sent by the dispatcher, once, with no workflow.
    assert (_row(db, sms).attempts, _row(db, sms).reason, _row(db, sms).dispatched_at is not None) == (
        1, "沙箱：未真正发出", True)
    with pytest.raises(RPCError):
        await temporal_env.client.get_workflow_handle(workflow_id(note, "sms")).describe()
