"""BookingWorkflow: one per booking (id `booking-<id>`), from the inquiry to settlement or cancellation.

User actions arrive as one Update (`act`) whose validator consults the transition table, so an action that
is not allowed now is refused before it touches history; each action has its handler (`_handlers`). Payment
callbacks arrive as a Signal. Deadlines, reminders and the performance timer are durable timers (`timers`);
cancellation runs compensation (refund, release the calendar, notify). Activities write the database
projection, keyed by booking id + step; they are scheduled by name (`domain.bookings.messages`), so this
module never imports their implementation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from workflows.booking.state import STATUS_KEY, BookingState, Ruling, Settlement, Timer
from workflows.booking.timers import next_timer

with workflow.unsafe.imports_passed_through():
    from domain.activity_refs import ActivityRef, InputT, ResultT
    from domain.bookings.messages import (
        AUDIT_OPERATOR_ACTION,
        BOOK_SLOT,
        CHECK_OPERATOR,
        CREATE_PAYMENT,
        FLAG_FOR_OPERATOR,
        HOLD_SLOT,
        OPEN_DISPUTE,
        PAY_OUT,
        PAYOUT,
        PERMANENT_TYPE,
        RECORD_PAYOUT,
        RECORD_PENALTY,
        RECORD_STEP,
        REFUND,
        RELEASE_SLOT,
        RESOLVE_DISPUTE,
        RETRY_PAYOUT,
        SEND_CONTRACT,
        SIGN_CONTRACT,
        ActionRequest,
        ActionResult,
        BookingInput,
        CreatePaymentInput,
        FlagInput,
        OpenDisputeInput,
        OperatorAudit,
        OperatorCheck,
        PaymentReceived,
        PayoutInput,
        PayoutOutcome,
        PayoutRecord,
        PenaltyInput,
        Quote,
        RefundInput,
        ResolveDisputeInput,
        SettlementDecision,
        SignContractInput,
        StepRecord,
    )
    from domain.bookings.money import cancel_compensation, settlement, split_fee
    from domain.bookings.states import FINAL, STATUS_LABELS, Action, BookingStatus, refusal

S = BookingStatus
QUICK_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
# Refunds are never dropped: retried until the gateway accepts (operators see failing ones meanwhile).
FOREVER_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), backoff_coefficient=2.0,
                            maximum_interval=timedelta(hours=1))
PATCH_REQUEST_FIRST = "request-step-before-actions"
# Response, contract and deposit deadlines end no later than the show's start.
PATCH_DEADLINES_BEFORE_SHOW = "deadlines-before-show"
# Dispute rulings by timing, money first: the state moves only once the refund went through.
PATCH_DISPUTE_RULINGS = "dispute-rulings-by-timing"
# A refused refund is not followed by a "refunded" event claiming money that did not move.
PATCH_NO_FALSE_REFUND = "no-refunded-event-after-refusal"
# Settlement waits for the dispute window and an operator's approval (or the automatic one) before the payout;
# money a cancelled booking kept is settled to the artist the same way.
PATCH_SETTLEMENT_APPROVAL = "settlement-approval"
# A failed payout is sent again only by an operator's retry (RETRY_PAYOUT); PAY_OUT reports it failed.
PATCH_PAYOUT_RETRY_ACTIVITY = "payout-retry-activity"
# An operator's action typed into the Temporal UI (not sent by the console) is checked against the operator's
# account and permissions by an activity first, and audited by one afterwards.
PATCH_TEMPORAL_UI_OPERATOR = "temporal-ui-operator-check"
# A payout is tried a few times (the channel unreachable), then left to an operator: never retried forever.
PAYOUT_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), backoff_coefficient=2.0,
                           maximum_interval=timedelta(minutes=5), maximum_attempts=6)
# A payout in flight at the channel (WeChat transfer accepted, a bank batch line not paid yet) is looked up every
# 10 minutes for a day, then flagged for an operator and looked up every 6 hours until the channel knows.
PAYOUT_CHECK_EVERY = timedelta(minutes=10)
PAYOUT_CHECKS = 144
PAYOUT_CHECK_SLOW = timedelta(hours=6)
# The steps that only write the database (the projection, the calendar, the contract, the payout row, disputes)
# run as local activities, in the workflow task that called them: an action is then one workflow task instead of
# three plus two activity tasks, each a round trip through the server. They are all idempotent, as a local activity
# runs again when its workflow task does. Gateways (payments, refunds, payouts) stay activities of their own, with
# their longer timeouts and visible in the Temporal UI while they retry.
PATCH_LOCAL_STEPS = "database-steps-as-local-activities"
LOCAL_STEPS = frozenset(ref.name for ref in (
    RECORD_STEP, HOLD_SLOT, BOOK_SLOT, RELEASE_SLOT, SEND_CONTRACT, SIGN_CONTRACT, RECORD_PAYOUT, RECORD_PENALTY,
    OPEN_DISPUTE, RESOLVE_DISPUTE, CHECK_OPERATOR, AUDIT_OPERATOR_ACTION))
# A step and the calendar or payout change it implies are one local activity (one transaction, StepRecord.slot /
# .payouts): the quote holds the slot, the deposit books it, a settlement request opens (and, with no approval
# period, approves) the payout row, each with its step. Two to three local activities fewer on these paths.
PATCH_MERGED_STEPS = "calendar-and-payout-in-the-step"
SETTLEMENT_TIMERS = ("settlement_auto_approve", "settlement_payout", "payout_check")
DECISIONS = {"approve": "审核通过", "reject": "驳回", "retry": "重新打款"}

Notify = list[tuple[int, str, str]]  # (user id, title, body)
Handler = Callable[[ActionRequest], Awaitable[ActionResult | None]]  # None: answer with the new status


@workflow.defn
class BookingWorkflow:
    def __init__(self) -> None:
        self.s = BookingState()
        self.inp: BookingInput | None = None
        self.seq = 0
        self.version = 0  # bumped on every change a timer depends on
        self.lock = asyncio.Lock()
        self.clip_deadlines = False
        self.local_steps = False
        self.merged_steps = False
        self.payments: list[PaymentReceived] = []
        self.compensation: list[tuple[str, int]] = []  # (step, refund amount) still to run
        self.after_refund: dict[str, Ruling] = {}  # refund step -> what the dispute ruling does once it is paid
        self._handlers: dict[Action, Handler] = {
            Action.confirm: self._confirm,
            Action.reject: self._reject,
            Action.withdraw: self._withdraw,
            Action.send_contract: self._send_contract,
            Action.sign: self._sign,
            Action.countersign: self._sign,
            Action.pay_deposit: self._pay,
            Action.pay_balance: self._pay,
            Action.confirm_performance: self._confirm_performance,
            Action.request_settlement: self._request_settlement,
            Action.cancel: self._cancel,
            Action.dispute: self._dispute,
            Action.resolve_dispute: self._resolve,
            Action.extend_deadline: self._extend_deadline,
        }

    # --- queries -------------------------------------------------------------------------------------------

    @workflow.query
    def status(self) -> str:
        return self.s.status.value

    @workflow.query
    def busy(self) -> bool:
        """True while a payment or compensation is queued or an action is being applied."""
        return bool(self.payments) or bool(self.compensation) or self.lock.locked()

    # --- the run loop: timers and queued payments ----------------------------------------------------------

    @workflow.run
    async def run(self, inp: BookingInput) -> str:
        self.inp = inp
        self.clip_deadlines = workflow.patched(PATCH_DEADLINES_BEFORE_SHOW)
        self.s.deadline = self._before_show(workflow.now() + timedelta(hours=inp.response_hours))
        first = self._step("requested", "request", "client", inp.client_id, S.REQUESTED,
                           notify=[(inp.artist_id, "收到新的演出邀约", "有需求方向您发起了演出邀约，请及时确认报价")],
                           fields={"deadline_at": self.s.deadline.isoformat()}, moved=False)
        if workflow.patched(PATCH_REQUEST_FIRST):
            async with self.lock:  # an early action waits until the request itself is on record
                await first
                self._take_step_patches()
        else:
            await first
            self._take_step_patches()
        while True:
            if self.payments:
                async with self.lock:
                    payment = self.payments.pop(0)
                    try:
                        await self._on_payment(payment)
                    except ApplicationError as err:
                        if err.type != PERMANENT_TYPE:
                            raise
                continue
            if self.compensation:
                try:
                    await self._compensate()
                except ApplicationError as err:
                    if err.type != PERMANENT_TYPE:
                        raise
                    self.compensation.pop(0)  # flagged for an operator; don't loop on it
                continue
            if self.s.status in FINAL and not self.lock.locked() and not self._settlement_open():
                break
            seen = self.version
            timer = self._settlement_timer() or (
                None if self.s.status in FINAL else next_timer(self.s, inp, clip_deadlines=self.clip_deadlines))
            timeout = None if timer is None else max((timer.at - workflow.now()).total_seconds(), 0)
            try:
                await workflow.wait_condition(self._woken(seen), timeout=timeout)
            except TimeoutError:
                async with self.lock:
                    if self.version == seen and timer is not None:
                        try:
                            await self._on_timer(timer)
                        except ApplicationError as err:
                            if err.type != PERMANENT_TYPE:
                                raise
                            self.s.failed_timers.add(timer.kind)  # flagged; an operator's action re-arms it
                            self.version += 1
        # Let an update that finished the booking return its answer before the workflow closes.
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.s.status.value

    def _take_step_patches(self) -> None:
        """Decided once, after the request step: a booking keeps the way it began (its history replays as recorded)."""
        self.local_steps = workflow.patched(PATCH_LOCAL_STEPS)
        self.merged_steps = self.local_steps and workflow.patched(PATCH_MERGED_STEPS)

    def _woken(self, seen: int) -> Callable[[], bool]:
        return lambda: (self.version != seen or bool(self.payments) or bool(self.compensation)
                        or (self.s.status in FINAL and not self.lock.locked() and not self._settlement_open()))

    async def _on_timer(self, timer: Timer) -> None:
        inp, s = self.inp, self.s
        assert inp is not None
        kind = timer.kind
        if kind == "remind_response":
            s.fired.add(kind)
            await self._note(kind, [(inp.artist_id, "演出邀约即将过期", "请尽快确认或拒绝这条邀约")])
        elif kind == "expire_response":
            await self._step(kind, "expire", "system", None, S.EXPIRED, reason="艺人未在规定时间内答复",
                             notify=[(inp.client_id, "邀约已过期", "艺人未在规定时间内答复，邀约已自动关闭")])
        elif kind == "remind_contract":
            s.fired.add(kind)
            who = inp.artist_id if s.status != S.CONTRACT_SENT else inp.client_id
            await self._note(kind, [(who, "合同即将过期", "合同将在24小时后失效，档期随之释放，请尽快处理")])
        elif kind == "expire_hold":
            await self._step(kind, "expire", "system", None, S.EXPIRED, reason="合同未在规定时间内签署",
                             notify=self._both("预约已过期", "合同未在规定时间内签署，档期已释放"))
            await self._run(RELEASE_SLOT, inp.booking_id)
        elif kind == "expire_deposit":
            await self._step(kind, "cancel", "system", None, S.CANCELLED, reason="定金未按时支付",
                             notify=self._both("预约已取消", "定金未按时支付，预约已取消，档期已释放"))
            await self._run(RELEASE_SLOT, inp.booking_id)
        elif kind.startswith("remind_balance_"):
            s.fired.add(kind)
            await self._note(kind, [(inp.client_id, "尾款即将到期", f"请在{timer.at.date()}前支付尾款")])
        elif kind == "balance_overdue":
            s.fired.add(kind)
            # Not cancelled silently: an operator decides (call the client, extend, or cancel).
            await self._step(kind, "balance_overdue", "system", None, s.status, moved=False,
                             fields={"needs_operator": "尾款逾期未付，请运营跟进"},
                             notify=[(inp.client_id, "尾款已逾期", "尾款已逾期，平台运营将与您联系")])
        elif kind == "performed":
            s.auto_accept_at = workflow.now() + timedelta(hours=inp.auto_confirm_hours)
            await self._step(kind, "performed", "system", None, S.PERFORMED,
                             notify=[(inp.client_id, "演出已结束", "请确认演出已完成；72小时后将自动确认")])
        elif kind == "auto_accept":
            await self._step(kind, "confirm_performance", "system", None, S.ACCEPTED,
                             notify=[(inp.artist_id, "演出已确认", "演出已自动确认，您可以申请结算")])
        elif kind == "settlement_auto_approve":
            await self._approve(None, "超过审核期限，系统自动审核通过")
        elif kind in ("settlement_payout", "payout_check"):
            await self._pay_out()

    # --- payments (signal) -------------------------------------------------------------------------------

    @workflow.signal
    def payment_received(self, payment: PaymentReceived) -> None:
        if payment.order_id not in self.s.paid_orders:
            self.s.paid_orders.add(payment.order_id)
            self.payments.append(payment)

    async def _on_payment(self, p: PaymentReceived) -> None:
        inp, s = self.inp, self.s
        assert inp is not None
        s.paid_amount += p.amount
        money = {"paid_amount": s.paid_amount}
        if p.kind == "deposit" and s.status == S.SIGNED and p.amount == s.deposit_amount:
            if not self.merged_steps:
                await self._run(BOOK_SLOT, inp.booking_id)
            await self._step(f"paid-{p.order_id}", "deposit_paid", "client", inp.client_id, S.DEPOSIT_PAID,
                             fields=money, data={"order_id": p.order_id, "amount": p.amount},
                             notify=self._both("定金已支付", "定金已到账，档期已锁定"),
                             slot="book" if self.merged_steps else None)
        elif p.kind == "balance" and s.status == S.DEPOSIT_PAID and p.amount == s.balance_amount:
            await self._step(f"paid-{p.order_id}", "balance_paid", "client", inp.client_id, S.FULLY_PAID,
                             fields={**money, "needs_operator": None}, data={"order_id": p.order_id},
                             notify=self._both("尾款已支付", "全部款项已到账，期待精彩演出"))
        else:
            # A payment the booking no longer expects (e.g. paid after cancelling): give it back.
            await self._step(f"paid-{p.order_id}", "unexpected_payment", "client", inp.client_id, s.status,
                             moved=False, fields=money, data={"order_id": p.order_id, "amount": p.amount})
            self.compensation.append((f"refund-{p.order_id}", p.amount))

    # --- user actions (update + validator) -----------------------------------------------------------------

    @workflow.update
    async def act(self, req: ActionRequest) -> ActionResult:
        async with self.lock:
            self._check(req)  # the state may have moved while this update waited for the lock
            # Requests recorded before `via` existed read as "temporal_ui": the patch keeps their replay as it was.
            from_ui = (req.via != "console" and req.actor.role == "operator"
                       and workflow.patched(PATCH_TEMPORAL_UI_OPERATOR))
            if from_ui:
                assert req.actor.id is not None  # the validator refused it otherwise
                refused = await self._run(CHECK_OPERATOR, OperatorCheck(req.actor.id, req.action))
                if refused:
                    raise ApplicationError(refused, type="Forbidden")
            result = await self._handlers[Action(req.action)](req)
            if from_ui:
                await self._audit(req)
            return result or ActionResult(status=self.s.status.value)

    @act.validator
    def validate_act(self, req: ActionRequest) -> None:
        if req.via != "console":
            _check_typed_in(req)  # validators don't run on replay: old histories are unaffected
        self._check(req)

    async def _audit(self, req: ActionRequest) -> None:
        assert self.inp is not None and req.actor.id is not None
        info = workflow.current_update_info()
        body = {k: v for k, v in (("reason", req.reason), ("refund_amount", req.refund_amount),
                                  ("resolution", req.resolution), ("extend_hours", req.extend_hours)) if v is not None}
        await self._run(AUDIT_OPERATOR_ACTION, OperatorAudit(
            self.inp.booking_id, req.actor.id, req.action, info.id if info else "", self.s.status.value, body))

    def _check(self, req: ActionRequest) -> None:
        inp, s = self.inp, self.s
        if inp is None:
            raise ApplicationError("预约尚未就绪，请稍后重试", type="NotReady")
        started = workflow.now() >= datetime.fromisoformat(inp.start_at)
        refused = refusal(s.status, req.action, req.actor.role, show_started=started)
        if refused is not None:
            raise ApplicationError(refused.message, type=refused.kind)
        own = {"client": inp.client_id, "artist": inp.artist_id}.get(req.actor.role)
        if req.actor.role in ("client", "artist") and req.actor.id != own:
            raise ApplicationError("无权操作此预约", type="Forbidden")
        action = Action(req.action)
        if action == Action.confirm:
            q = req.quote
            if q is None or q.fee_amount <= 0 or not 10 <= q.deposit_percent <= 100 or q.balance_due_days < 0:
                raise ApplicationError("报价不完整：请填写演出费、定金比例（10-100%）和尾款期限", "quote",
                                       type="BadRequest")
            start = datetime.fromisoformat(inp.start_at)
            if start - timedelta(days=q.balance_due_days) < workflow.now():
                raise ApplicationError("尾款期限早于当前时间，请缩短尾款提前天数", "quote.balance_due_days",
                                       type="BadRequest")
        if action == Action.dispute and s.settlement is not None and s.settlement.status in ("paying", "failed"):
            raise ApplicationError("结算打款已开始，不能再发起纠纷，请联系平台客服", type="InvalidAction")
        if action in (Action.reject, Action.dispute) and not (req.reason or "").strip():
            raise ApplicationError("请填写原因", "reason", type="BadRequest")
        if action in (Action.sign, Action.countersign) and not req.signature_key:
            raise ApplicationError("请先手写签名", "signature_png_base64", type="BadRequest")
        if action == Action.resolve_dispute:
            if req.resolution not in ("full_refund", "partial_refund", "release"):
                raise ApplicationError("请选择处理方式", "resolution", type="BadRequest")
            if not (req.reason or "").strip():
                raise ApplicationError("请填写处理理由", "reason", type="BadRequest")
            if self.compensation:
                raise ApplicationError("上一次处理的退款仍在进行，请稍后刷新再试", type="InvalidAction")
            if req.resolution == "partial_refund":
                if (req.refund_amount or 0) <= 0:
                    raise ApplicationError("部分退款金额须大于0", "refund_amount", type="BadRequest")
                self._check_refundable(req.refund_amount or 0)
        if action == Action.cancel and req.actor.role == "operator" and req.refund_amount is not None:
            self._check_refundable(req.refund_amount)
        if action == Action.extend_deadline and not 1 <= (req.extend_hours or 0) <= 24 * 30:
            raise ApplicationError("延长时间须在1小时到30天之间", "extend_hours", type="BadRequest")

    def _check_refundable(self, amount: int) -> None:
        if amount > self._refundable():
            raise ApplicationError(f"退款金额超过可退金额（{self._refundable() / 100:.2f}元）",
                                   {"paid_amount": self.s.paid_amount, "refunded_amount": self.s.refunded_amount},
                                   type="RefundExceedsPaid")

    def _before_show(self, deadline: datetime) -> datetime:
        """A deadline for an answer, a signature or a deposit can't run past the show's start."""
        assert self.inp is not None
        return min(deadline, datetime.fromisoformat(self.inp.start_at)) if self.clip_deadlines else deadline

    # One handler per action (`_handlers`); `_check` has already accepted the request.

    async def _confirm(self, req: ActionRequest) -> None:
        inp, s = self.inp, self.s
        assert inp is not None and req.quote is not None
        quote = req.quote
        if not self.merged_steps:
            try:
                await self._run(HOLD_SLOT, inp.booking_id)
            except ActivityError as err:
                raise _calendar_conflict() from err
        before = (s.quote, s.deposit_amount, s.balance_amount, s.balance_due_at, s.deadline)
        # Set before the step: the run loop re-arms its deadline timer as soon as the step changes the state.
        s.quote = quote
        s.deposit_amount, s.balance_amount = split_fee(quote.fee_amount, quote.deposit_percent)
        s.balance_due_at = datetime.fromisoformat(inp.start_at) - timedelta(days=quote.balance_due_days)
        s.deadline = self._before_show(workflow.now() + timedelta(hours=inp.contract_hours))
        try:
            await self._step("confirm", Action.confirm, req.actor.role, req.actor.id, S.CONFIRMED,
                             data={"quote": _quote_dict(quote)},
                             fields={"quote": _quote_dict(quote), "fee_amount": quote.fee_amount,
                                     "deposit_amount": s.deposit_amount, "balance_amount": s.balance_amount,
                                     "balance_due_at": s.balance_due_at.isoformat(),
                                     "deadline_at": s.deadline.isoformat()},
                             notify=[(inp.client_id, "艺人已报价", "艺人已确认档期并报价，请查看并继续")],
                             slot="hold" if self.merged_steps else None)
        except ActivityError as err:
            if not self.merged_steps:
                raise
            # Nothing was recorded (the hold refused, or the step failed): the request stands as it was.
            s.quote, s.deposit_amount, s.balance_amount, s.balance_due_at, s.deadline = before
            if _failure_type(err) == "CalendarConflict":
                raise _calendar_conflict() from err
            raise

    async def _reject(self, req: ActionRequest) -> None:
        assert self.inp is not None
        await self._step("reject", Action.reject, req.actor.role, req.actor.id, S.REJECTED, reason=req.reason,
                         notify=[(self.inp.client_id, "艺人已拒绝邀约", req.reason or "")])

    async def _withdraw(self, req: ActionRequest) -> None:
        inp = self.inp
        assert inp is not None
        await self._step("withdraw", Action.withdraw, req.actor.role, req.actor.id, S.WITHDRAWN,
                         reason=req.reason or "需求方已选择其他艺人",
                         notify=[(inp.artist_id, "邀约已撤回", "需求方已选择其他艺人，档期已释放")])
        await self._run(RELEASE_SLOT, inp.booking_id)

    async def _send_contract(self, req: ActionRequest) -> None:
        inp = self.inp
        assert inp is not None and self.s.quote is not None
        await self._run(SEND_CONTRACT, inp.booking_id)
        await self._step("send_contract", Action.send_contract, req.actor.role, req.actor.id, S.CONTRACT_SENT,
                         notify=[(inp.client_id, "请签署演出合同", "艺人已发送合同，请在截止时间前签署")])

    async def _sign(self, req: ActionRequest) -> None:
        """The client signs, then the artist countersigns; the deposit deadline starts with the second."""
        inp, s = self.inp, self.s
        assert inp is not None
        action, role, actor_id = Action(req.action), req.actor.role, req.actor.id
        side = "client" if action == Action.sign else "artist"
        await self._run(SIGN_CONTRACT, SignContractInput(inp.booking_id, side, actor_id, req.signature_key))
        if action == Action.sign:
            await self._step("sign", action, role, actor_id, S.CLIENT_SIGNED,
                             notify=[(inp.artist_id, "需求方已签署合同", "请会签合同")])
        else:
            s.deadline = self._before_show(workflow.now() + timedelta(hours=inp.deposit_hours))
            await self._step("countersign", action, role, actor_id, S.SIGNED,
                             fields={"deadline_at": s.deadline.isoformat()},
                             notify=self._both("合同已生效", "双方已签署合同，请在截止时间前支付定金"))

    async def _pay(self, req: ActionRequest) -> ActionResult:
        """A payment order for the deposit or the balance; the gateway's callback moves the booking."""
        inp, s = self.inp, self.s
        assert inp is not None
        kind = "deposit" if req.action == Action.pay_deposit else "balance"
        amount = s.deposit_amount if kind == "deposit" else s.balance_amount
        # The payer's choice of gateway travels in the activity's input only: the commands stay the same.
        order_id, pay_url = await self._run(CREATE_PAYMENT, CreatePaymentInput(inp.booking_id, kind, amount,
                                                                               gateway=req.gateway))
        return ActionResult(status=s.status.value, payment_order_id=order_id, pay_url=pay_url)

    async def _confirm_performance(self, req: ActionRequest) -> None:
        assert self.inp is not None
        await self._step("confirm_performance", Action.confirm_performance, req.actor.role, req.actor.id,
                         S.ACCEPTED, notify=[(self.inp.artist_id, "需求方已确认演出", "您可以申请结算")])

    async def _request_settlement(self, req: ActionRequest) -> None:
        if self.merged_steps:  # the request is recorded with the payout row it opens (`_settle`)
            await self._settle("settle", request=req)
            return
        await self._record_settlement_request(req)
        await self._settle("settle")

    async def _record_settlement_request(self, req: ActionRequest, payouts: list[PayoutRecord] | None = None) -> None:
        await self._step("request_settlement", Action.request_settlement, req.actor.role, req.actor.id, S.SETTLING,
                         payouts=payouts)

    async def _dispute(self, req: ActionRequest) -> None:
        inp, s = self.inp, self.s
        assert inp is not None
        role, actor_id = req.actor.role, req.actor.id
        s.disputed_from = s.status
        await self._run(OPEN_DISPUTE, OpenDisputeInput(inp.booking_id, f"{self.seq + 1:03d}-dispute", role, actor_id,
                                                       req.reason, req.evidence, s.status.value))
        await self._step("dispute", Action.dispute, role, actor_id, S.DISPUTED, reason=req.reason,
                         data={"evidence": req.evidence}, fields={"needs_operator": "纠纷待处理"},
                         notify=self._both("订单进入纠纷处理", "款项已冻结，平台运营将介入处理"))

    async def _extend_deadline(self, req: ActionRequest) -> None:
        s = self.s
        hours = timedelta(hours=req.extend_hours or 0)
        s.failed_timers.clear()  # the operator looked at it: the deadlines run again
        if s.status == S.DEPOSIT_PAID and s.balance_due_at:
            s.balance_due_at += hours
            s.fired -= {"balance_overdue"}
            fields = {"balance_due_at": s.balance_due_at.isoformat(), "needs_operator": None}
        else:
            s.deadline = (s.deadline or workflow.now()) + hours
            fields = {"deadline_at": s.deadline.isoformat()}
        await self._step("extend_deadline", Action.extend_deadline, req.actor.role, req.actor.id, s.status,
                         moved=False, fields=fields, data={"hours": req.extend_hours}, reason=req.reason,
                         notify=self._both("期限已延长", f"平台已将当前期限延长{req.extend_hours}小时"))

    # --- cancellation, disputes, settlement ----------------------------------------------------------------

    def _refundable(self) -> int:
        return self.s.paid_amount - self.s.refunded_amount

    async def _cancel(self, req: ActionRequest) -> None:
        inp, s = self.inp, self.s
        assert inp is not None
        role = req.actor.role
        # The same rule the order page previews (domain.bookings.money.cancel_compensation).
        refund = cancel_compensation(role, s.quote.cancellation_tiers if s.quote else [],
                                     datetime.fromisoformat(inp.start_at), workflow.now(), paid_amount=s.paid_amount,
                                     deposit_amount=s.deposit_amount, refunded_amount=s.refunded_amount).refund_amount
        if role == "artist":
            await self._run(RECORD_PENALTY, PenaltyInput(inp.booking_id, req.reason or "艺人取消演出"))
        elif role != "client" and req.refund_amount is not None:  # an operator names the amount
            refund = req.refund_amount
        await self._step("cancel", Action.cancel, role, req.actor.id, S.CANCELLED, reason=req.reason,
                         data={"refund_amount": refund},
                         notify=self._both("预约已取消", f"预约已取消，应退金额{refund / 100:.2f}元"))
        self.compensation.append(("refund-cancel", refund))

    async def _compensate(self) -> None:
        """Reverse of the forward steps: refund through the gateway, release the calendar, notify."""
        inp, s = self.inp, self.s
        assert inp is not None
        step, amount = self.compensation[0]
        ruling = self.after_refund.pop(step, None)
        refused = False
        if amount > 0:
            try:
                await self._run(REFUND, RefundInput(inp.booking_id, step, amount), forever=True)
                s.refunded_amount += amount
            except (ActivityError, ApplicationError) as err:
                # Refused outright (not a gateway outage, which is retried): an operator must decide.
                if ruling is None and not workflow.patched(PATCH_NO_FALSE_REFUND):
                    await self._step(f"{step}-refused", "refund_refused", "system", None, s.status, moved=False,
                                     fields={"needs_operator": "退款被拒绝，需人工处理"}, data={"amount": amount})
                    amount = 0
                else:
                    message = _failure_message(err)
                    await self._step(f"{step}-refused", "refund_refused", "system", None, s.status, moved=False,
                                     fields={"needs_operator": f"退款被拒绝，需人工处理：{message}"[:200]},
                                     data={"amount": amount, "error": message})
                    refused = True
        if ruling is not None:
            if not refused:  # a refused ruling doesn't take effect: the dispute stays open for another one
                await self._carry_out(ruling)
            self.compensation.pop(0)
            return
        if s.status in FINAL and s.status != S.COMPLETED:
            await self._run(RELEASE_SLOT, inp.booking_id)
        if not refused:
            await self._step(f"{step}-done", "refunded", "system", None, s.status, moved=False,
                             fields={"refunded_amount": s.refunded_amount},
                             data={"amount": amount},
                             notify=[(inp.client_id, "退款已完成", f"已退款{amount / 100:.2f}元")] if amount else [])
        self.compensation.pop(0)
        if (step == "refund-cancel" and not refused and s.status == S.CANCELLED and self._refundable() > 0
                and workflow.patched(PATCH_SETTLEMENT_APPROVAL)):
            async with self.lock:  # what the client did not get back is the artist's, less commission
                await self._settle("settle-kept")

    async def _resolve(self, req: ActionRequest) -> None:
        """An operator's ruling on a dispute, by timing. Before the show it either cancels the booking (refund,
        release the calendar; no review) or lets it continue; after the show it settles what the client did not
        get back. Money first: the booking moves only once the refund went through (`_compensate`)."""
        if not workflow.patched(PATCH_DISPUTE_RULINGS):
            await self._resolve_v1(req)
            return
        inp, s = self.inp, self.s
        assert inp is not None and s.disputed_from is not None
        ruling = Ruling(req.resolution or "release", req.reason or "", req.actor.id or 0)
        if ruling.resolution == "release":
            await self._carry_out(ruling)
            return
        before_show = workflow.now() < datetime.fromisoformat(inp.start_at)
        ruling.then = "cancel" if before_show else "settle"
        ruling.refund_amount = self._refundable() if ruling.resolution == "full_refund" else req.refund_amount or 0
        step = f"refund-dispute-{self.seq + 1:03d}"  # one refund per ruling; a refused one leaves room for another
        title = "纠纷已处理：取消预约并退款" if before_show else "纠纷已处理：退款后结算"
        await self._step("dispute-ruling", "dispute_ruling", "operator", req.actor.id, S.DISPUTED, moved=False,
                         reason=req.reason, data={"resolution": ruling.resolution, "then": ruling.then,
                                                  "refund_amount": ruling.refund_amount},
                         notify=self._both(title, f"应退{ruling.refund_amount / 100:.2f}元。{ruling.reason}"))
        self.after_refund[step] = ruling
        self.compensation.append((step, ruling.refund_amount))

    async def _carry_out(self, r: Ruling) -> None:
        inp, s = self.inp, self.s
        assert inp is not None
        await self._run(RESOLVE_DISPUTE, ResolveDisputeInput(inp.booking_id, r.resolution, r.refund_amount, r.reason,
                                                             r.operator_id))
        data = {"resolution": r.resolution, "refund_amount": r.refund_amount}
        done = {"needs_operator": None, "refunded_amount": s.refunded_amount}
        if r.then == "release":
            back = s.disputed_from or S.DEPOSIT_PAID
            await self._step("resolve_dispute", Action.resolve_dispute, "operator", r.operator_id, back,
                             reason=r.reason, data=data, fields={"needs_operator": None},
                             notify=self._both("纠纷已处理：继续履约", r.reason))
            s.disputed_from = None
            if back == S.SETTLING:  # settlement was under way when the dispute froze it
                await self._settle("settle-after-dispute")
        elif r.then == "cancel":
            await self._step("resolve_dispute", Action.resolve_dispute, "operator", r.operator_id, S.CANCELLED,
                             reason=r.reason, data=data, fields=done,
                             notify=self._both("预约已取消",
                                               f"纠纷处理完成，已退款{r.refund_amount / 100:.2f}元，档期已释放"))
            s.disputed_from = None
            await self._run(RELEASE_SLOT, inp.booking_id)
            if self._refundable() > 0 and workflow.patched(PATCH_SETTLEMENT_APPROVAL):
                async with self.lock:  # a partial refund: the rest is the artist's, less commission
                    await self._settle("settle-kept")
        else:
            await self._step("resolve_dispute", Action.resolve_dispute, "operator", r.operator_id, S.SETTLING,
                             reason=r.reason, data=data, fields=done,
                             notify=self._both("纠纷已处理", f"已退款{r.refund_amount / 100:.2f}元，余款将结算给艺人"))
            s.disputed_from = None
            await self._settle("settle-after-dispute")

    async def _resolve_v1(self, req: ActionRequest) -> None:
        """Rulings as first released (replays bookings recorded before PATCH_DISPUTE_RULINGS)."""
        inp, s = self.inp, self.s
        assert inp is not None and s.disputed_from is not None
        await self._run(RESOLVE_DISPUTE, ResolveDisputeInput(inp.booking_id, req.resolution, req.refund_amount,
                                                             req.reason, req.actor.id))
        if req.resolution == "full_refund":
            amount = self._refundable()
            await self._step("resolve_dispute", Action.resolve_dispute, "operator", req.actor.id, S.CANCELLED,
                             reason=req.reason, data={"resolution": req.resolution, "refund_amount": amount},
                             fields={"needs_operator": None},
                             notify=self._both("纠纷已处理：全额退款", req.reason or ""))
            self.compensation.append(("refund-dispute", amount))
        elif req.resolution == "partial_refund":
            amount = req.refund_amount or 0
            await self._step("resolve_dispute", Action.resolve_dispute, "operator", req.actor.id, S.SETTLING,
                             reason=req.reason, data={"resolution": req.resolution, "refund_amount": amount},
                             fields={"needs_operator": None},
                             notify=self._both("纠纷已处理：部分退款", req.reason or ""))
            await self._run(REFUND, RefundInput(inp.booking_id, "refund-dispute", amount), forever=True)
            s.refunded_amount += amount
            await self._settle("settle-after-dispute")
        else:  # release: the booking carries on where it was, money unfrozen
            back = s.disputed_from
            await self._step("resolve_dispute", Action.resolve_dispute, "operator", req.actor.id, back,
                             reason=req.reason, data={"resolution": "release"}, fields={"needs_operator": None},
                             notify=self._both("纠纷已处理：继续履约", req.reason or ""))
        s.disputed_from = None

    # --- settlement: dispute window, approval, payout ---------------------------------------------------------

    def _settlement_open(self) -> bool:
        return self.s.settlement is not None and self.s.settlement.status != "paid"

    def _settlement_timer(self) -> Timer | None:
        st, status = self.s.settlement, self.s.status
        if st is None or status not in (S.SETTLING, S.CANCELLED):
            return None  # disputed: frozen until the ruling settles again
        timer = None
        if st.status == "pending_approval":
            timer = Timer(max(st.window_ends_at, st.auto_approve_at), "settlement_auto_approve")
        elif st.status == "approved":
            timer = Timer(st.window_ends_at, "settlement_payout")
        elif st.status == "paying":
            timer = Timer(st.check_at or workflow.now(), "payout_check")
        # failed / rejected: an operator decides (decide_settlement)
        return timer if timer is not None and timer.kind not in self.s.failed_timers else None

    async def _settle(self, step: str, request: ActionRequest | None = None) -> None:
        """Settle what the client paid and kept paid: commission and payout are fixed now (rate snapshotted at
        booking), the payout waits for the end of the dispute window (after the show; none for a cancelled
        booking) and an operator's approval, or is approved automatically after the configured days. With the
        artist's `request` (PATCH_MERGED_STEPS), the request's step carries the payout row it opens."""
        if not workflow.patched(PATCH_SETTLEMENT_APPROVAL):
            await self._settle_v1(step)
            return
        inp, s = self.inp, self.s
        assert inp is not None
        gross = self._refundable()
        commission, payout = settlement(gross, inp.commission_rate_bp)
        fields = {"commission_amount": commission, "payout_amount": payout, "refunded_amount": s.refunded_amount}
        if gross <= 0:
            if request is not None:
                await self._record_settlement_request(request)
            if s.status == S.SETTLING:
                await self._step(step, "settled", "system", None, S.COMPLETED, fields=fields,
                                 notify=[(inp.artist_id, "结算完成", "款项已全部退还需求方，本单无可结算金额")])
            return
        now = workflow.now()
        window = now if s.status == S.CANCELLED else max(
            now, datetime.fromisoformat(inp.end_at) + timedelta(hours=inp.settlement_window_hours))
        auto = max(window, now + timedelta(days=inp.settlement_auto_approve_days))
        opened = PayoutRecord(inp.booking_id, "pending_approval", gross, commission, payout, auto.isoformat())
        if request is not None:
            approved = [PayoutRecord(inp.booking_id, "approved")] if auto <= now else []
            await self._record_settlement_request(request, [opened, *approved])
            # Only now: the run loop, woken by the step, must not arm a settlement timer for a row not yet written.
            s.settlement = Settlement(gross, commission, payout, window, auto)
        else:
            s.settlement = Settlement(gross, commission, payout, window, auto)
            await self._run(RECORD_PAYOUT, opened)
        if auto <= now:  # no window and no approval period configured: approved at once
            await self._approve(None, None, recorded=request is not None)
            return
        await self._step(step, "settlement_pending", "system", None, s.status, moved=False, fields=fields,
                         data={"gross_amount": gross, "window_ends_at": window.isoformat(),
                               "auto_approve_at": auto.isoformat()},
                         notify=[(inp.artist_id, "结算待审核",
                                  f"应结算{payout / 100:.2f}元，争议期结束并经平台审核后打款")])

    async def _approve(self, operator_id: int | None, reason: str | None, *, recorded: bool = False) -> None:
        """`recorded`: the payout row's approval was written with the step that opened it."""
        inp, s, st = self.inp, self.s, self.s.settlement
        assert inp is not None and st is not None
        st.status, st.approved_by = "approved", operator_id
        if not recorded:
            await self._run(RECORD_PAYOUT, PayoutRecord(inp.booking_id, "approved", operator_id=operator_id))
        if operator_id is not None or st.window_ends_at > workflow.now():
            await self._step("settlement-approved", "settlement_approved", "operator" if operator_id else "system",
                             operator_id, s.status, moved=False, reason=reason, fields={"needs_operator": None},
                             data={"window_ends_at": st.window_ends_at.isoformat()},
                             notify=[(inp.artist_id, "结算已审核", "平台已审核通过结算，争议期结束后打款")])
        if st.window_ends_at <= workflow.now():
            await self._pay_out()
        else:
            self.version += 1  # the payout timer: the end of the dispute window

    async def _pay_out(self, retry: bool = False) -> None:
        """Send the approved payout (PAY_OUT settles the ledger first). A failure stays in settlement, flagged for
        an operator who may retry; a payout in flight at the channel is looked up again for a day."""
        inp, s, st = self.inp, self.s, self.s.settlement
        assert inp is not None and st is not None
        try:
            name = RETRY_PAYOUT.name if retry and workflow.patched(PATCH_PAYOUT_RETRY_ACTIVITY) else PAY_OUT.name
            outcome = await workflow.execute_activity(
                name, inp.booking_id, result_type=PayoutOutcome, start_to_close_timeout=timedelta(seconds=60),
                retry_policy=PAYOUT_RETRY)
        except ActivityError as err:
            outcome = PayoutOutcome("failed", f"出款未能完成：{_failure_message(err)}")
        self.version += 1
        if outcome.status == "processing":
            st.status, st.checks = "paying", st.checks + 1
            st.check_at = workflow.now() + (PAYOUT_CHECK_EVERY if st.checks < PAYOUT_CHECKS else PAYOUT_CHECK_SLOW)
            if st.checks == PAYOUT_CHECKS:
                await self._step("payout-slow", "payout_slow", "system", None, s.status, moved=False,
                                 fields={"needs_operator": "结算打款一天仍未到账，请核实出款渠道"})
            return
        if outcome.status != "paid":
            reason = outcome.failure_reason or "出款失败"
            st.status = "failed"
            await self._step("payout-failed", "payout_failed", "system", None, s.status, moved=False,
                             fields={"needs_operator": f"结算打款失败：{reason}"[:200],
                                     "commission_amount": st.commission, "payout_amount": st.payout},
                             data={"error": reason},
                             notify=[(inp.artist_id, "结算打款失败", "平台运营正在处理，处理后将重新打款")])
            return
        st.status = "paid"
        fields = {"commission_amount": st.commission, "payout_amount": st.payout, "needs_operator": None,
                  "refunded_amount": s.refunded_amount}
        if s.status == S.SETTLING:
            await self._step("settle", "settled", "system", None, S.COMPLETED, fields=fields,
                             notify=[(inp.artist_id, "结算完成", f"演出费已结算，到账{st.payout / 100:.2f}元")])
        else:
            await self._step("settle-kept", "settled", "system", None, s.status, moved=False, fields=fields,
                             notify=[(inp.artist_id, "结算完成",
                                      f"取消订单保留的款项已结算，到账{st.payout / 100:.2f}元")])

    @workflow.update
    async def decide_settlement(self, req: SettlementDecision) -> ActionResult:
        """An operator approves a settlement's payout, rejects it (with a reason; it may be approved later), or
        retries a payout that failed. Sent by the console (POST /admin/settlements/...) or the Temporal UI."""
        async with self.lock:
            self._check_decision(req)
            inp, s, st = self.inp, self.s, self.s.settlement
            assert inp is not None and st is not None
            operator_id = req.actor.id
            if req.decision == "approve":
                await self._approve(operator_id or 0, req.reason)
            elif req.decision == "reject":
                st.status = "rejected"
                await self._run(RECORD_PAYOUT, PayoutRecord(inp.booking_id, "rejected", operator_id=operator_id,
                                                            reason=req.reason))
                await self._step("settlement-rejected", "settlement_rejected", "operator", operator_id, s.status,
                                 moved=False, reason=req.reason,
                                 fields={"needs_operator": f"结算已驳回：{req.reason}"[:200]},
                                 notify=[(inp.artist_id, "结算未通过审核", req.reason or "")])
            else:
                s.failed_timers -= set(SETTLEMENT_TIMERS)
                st.status, st.checks = "approved", 0
                await self._step("payout-retry", "payout_retry", "operator", operator_id, s.status, moved=False,
                                 reason=req.reason, fields={"needs_operator": None})
                await self._pay_out(retry=True)
            return ActionResult(status=self.s.status.value)

    @decide_settlement.validator
    def validate_decide_settlement(self, req: SettlementDecision) -> None:
        self._check_decision(req)

    def _check_decision(self, req: SettlementDecision) -> None:
        s, st = self.s, self.s.settlement
        if self.inp is None:
            raise ApplicationError("预约尚未就绪，请稍后重试", type="NotReady")
        if req.actor.role != "operator":
            raise ApplicationError("只有平台运营可以处理结算", type="Forbidden")
        if req.decision not in DECISIONS:
            raise ApplicationError("请选择处理方式（审核通过、驳回或重新打款）", "decision", type="BadRequest")
        if st is None or st.status == "paid":
            raise ApplicationError("该预约没有待处理的结算", type="InvalidAction")
        if s.status not in (S.SETTLING, S.CANCELLED):
            raise ApplicationError(f"当前状态（{STATUS_LABELS[s.status]}）不能处理结算", type="InvalidAction")
        allowed = {"approve": ("pending_approval", "rejected"), "reject": ("pending_approval",), "retry": ("failed",)}
        if st.status not in allowed[req.decision]:
            label = _SETTLEMENT_LABELS.get(st.status, st.status)
            raise ApplicationError(f"结算当前{label}，不能{DECISIONS[req.decision]}", type="InvalidAction")
        if req.decision == "reject" and not (req.reason or "").strip():
            raise ApplicationError("请填写驳回理由", "reason", type="BadRequest")

    async def _settle_v1(self, step: str) -> None:
        """Settlement as first released: paid out at once (replays bookings recorded before the approval)."""
        inp, s = self.inp, self.s
        assert inp is not None
        commission, payout = settlement(s.paid_amount - s.refunded_amount, inp.commission_rate_bp)
        await self._run(PAYOUT, PayoutInput(inp.booking_id, s.paid_amount - s.refunded_amount, commission, payout))
        await self._step(step, "settled", "system", None, S.COMPLETED,
                         fields={"commission_amount": commission, "payout_amount": payout,
                                 "refunded_amount": s.refunded_amount},
                         notify=[(inp.artist_id, "结算完成", f"演出费已结算，到账{payout / 100:.2f}元")])

    # --- plumbing -------------------------------------------------------------------------------------------

    def _both(self, title: str, body: str) -> Notify:
        assert self.inp is not None
        return [(self.inp.client_id, title, body), (self.inp.artist_id, title, body)]

    async def _run(self, ref: ActivityRef[InputT, ResultT], arg: InputT, *, forever: bool = False) -> ResultT:
        """Run one activity; one that failed for good flags the booking for an operator and raises PERMANENT_TYPE."""
        # Short: these are quick database or gateway calls, and a crashed worker's task is retried sooner.
        timeout, retry = timedelta(seconds=60 if forever else 10), FOREVER_RETRY if forever else QUICK_RETRY
        try:
            if self.local_steps and ref.name in LOCAL_STEPS:
                return await self._run_local(ref, arg, timeout, retry)
            return await workflow.execute_activity(ref.name, arg, result_type=ref.result,
                                                   start_to_close_timeout=timeout, retry_policy=retry)
        except ActivityError as err:
            if not _permanent(err):
                raise
            # It will fail the same way every time (activities.failures): stop, and tell an operator why.
            assert self.inp is not None
            await workflow.execute_activity(
                FLAG_FOR_OPERATOR.name, FlagInput(self.inp.booking_id, f"系统处理失败（{ref.label}），需人工处理"),
                start_to_close_timeout=timedelta(seconds=10), retry_policy=QUICK_RETRY)
            raise ApplicationError("操作未能完成：系统处理出错，已通知平台运营处理", type=PERMANENT_TYPE) from err

    async def _run_local(self, ref: ActivityRef[InputT, ResultT], arg: InputT, timeout: timedelta,
                         retry: RetryPolicy) -> ResultT:
        try:
            return await workflow.execute_local_activity(ref.name, arg, result_type=ref.result,
                                                         start_to_close_timeout=timeout, retry_policy=retry)
        except ApplicationError as err:
            # A local activity's failure arrives bare; wrapped as an activity's is, every caller handles both alike.
            raise ActivityError(f"{ref.name} failed", scheduled_event_id=0, started_event_id=0, identity="",
                                activity_type=ref.name, activity_id="", retry_state=None) from err

    async def _note(self, kind: str, notify: Notify) -> None:
        await self._step(kind, "reminder", "system", None, self.s.status, moved=False, notify=notify)

    async def _step(self, name: str, action: str, role: str, actor_id: int | None, to: BookingStatus, *,
                    moved: bool = True, reason: str | None = None, data: dict | None = None,
                    fields: dict | None = None, notify: Notify | None = None, slot: str | None = None,
                    payouts: list[PayoutRecord] | None = None) -> None:
        """Move to `to` and write the projection (event row, booking fields, notifications) once; with `slot` /
        `payouts`, the calendar or payout change in the same transaction (PATCH_MERGED_STEPS)."""
        inp = self.inp
        assert inp is not None
        self.seq += 1
        before = self.s.status
        self.s.status = to
        self.version += 1
        record = StepRecord(
            booking_id=inp.booking_id, step=f"{self.seq:03d}-{name}", action=str(action), actor_role=role,
            actor_id=actor_id, from_status=before.value if moved else None, to_status=to.value,
            data=data or {}, reason=reason,
            fields={"status": to.value, **(fields or {}), **({"reason": reason} if reason else {})},
            notify=[list(n) for n in (notify or [])], slot=slot, payouts=payouts or [])
        try:
            await self._run(RECORD_STEP, record)
        except ApplicationError:
            self.s.status = before  # nothing was recorded: the booking stays where it was
            raise
        except ActivityError:
            if slot or payouts:  # refused (a calendar conflict): nothing was recorded, the step is not taken
                self.s.status, self.seq = before, self.seq - 1
                self.version += 1  # the run loop re-arms its timers from the state as it is again
            raise
        if before != to:
            workflow.upsert_search_attributes([STATUS_KEY.value_set(to.value)])
        workflow.upsert_memo({"summary": f"预约#{inp.booking_id} 艺人{inp.artist_id} 需求方{inp.client_id} "
                                         f"演出{inp.start_at[:16]} 状态:{STATUS_LABELS[to]}"})


OPERATOR_ACTIONS = (Action.cancel, Action.resolve_dispute, Action.extend_deadline)


def _check_typed_in(req: ActionRequest) -> None:
    """An action typed into the Temporal UI: only an operator's intervention, naming the operator and a reason
    (the operator's account and permissions are checked by the handler, which can ask the database)."""
    if req.via != "temporal_ui":
        raise ApplicationError('via 只能是 "temporal_ui"（Temporal UI）或省略', "via", type="BadRequest")
    if req.actor.role != "operator" or req.action not in OPERATOR_ACTIONS:
        raise ApplicationError("Temporal UI 只能发送运营干预：cancel、extend_deadline 或 resolve_dispute，"
                               'actor.role 须为 "operator"', "actor.role", type="Forbidden")
    if not isinstance(req.actor.id, int) or isinstance(req.actor.id, bool) or req.actor.id <= 0:
        raise ApplicationError("请在 actor.id 填写操作运营的账号 ID", "actor.id", type="BadRequest")
    if not (req.reason or "").strip():
        raise ApplicationError("请在 reason 填写干预理由", "reason", type="BadRequest")


_SETTLEMENT_LABELS = {"pending_approval": "待审核", "approved": "已审核待打款", "paying": "打款中",
                      "failed": "打款失败", "rejected": "已驳回", "paid": "已打款"}


def _calendar_conflict() -> ApplicationError:
    return ApplicationError("该时段艺人档期已被占用，无法确认", type="CalendarConflict")


def _failure_type(err: ActivityError) -> str | None:
    cause = err.cause
    return cause.type if isinstance(cause, ApplicationError) else None


def _permanent(err: ActivityError) -> bool:
    return _failure_type(err) == PERMANENT_TYPE


def _failure_message(err: Exception) -> str:
    cause = err.cause if isinstance(err, ActivityError) else err
    return cause.message if isinstance(cause, ApplicationError) else str(err)


def _quote_dict(q: Quote) -> dict:
    return {"fee_amount": q.fee_amount, "deposit_percent": q.deposit_percent,
            "balance_due_days": q.balance_due_days, "rider": q.rider, "note": q.note,
            "cancellation_tiers": [{"days_before": t.days_before, "refund_percent": t.refund_percent}
                                   for t in q.cancellation_tiers]}
