"""The booking transition table (domain/bookings/states.py), row by row.

EXPECTED below is the booking flow written out by hand, independently of TRANSITIONS; the table must equal it.
Then every (status, action, role) combination, before and after the show starts, is asked of `refusal`,
`move_for` and `allowed_actions`, and the answer is derived from EXPECTED; spot checks pin the exact wording."""

from __future__ import annotations

import itertools

import pytest

from domain.bookings.states import (
    CANCELLABLE,
    DISPUTABLE,
    FINAL,
    TRANSITIONS,
    Action,
    BookingStatus,
    Refusal,
    allowed_actions,
    move_for,
    refusal,
)

ROLES = ("client", "artist", "operator")
C, AR, OP = frozenset({"client"}), frozenset({"artist"}), frozenset({"operator"})
PARTIES = frozenset({"client", "artist"})
EVERYONE = frozenset(ROLES)

# (status, action) -> (who may, the status it leads to; None where payments, compensation or a ruling decide).
EXPECTED: dict[tuple[str, str], tuple[frozenset[str], str | None]] = {
    ("REQUESTED", "confirm"): (AR, "CONFIRMED"),
    ("REQUESTED", "reject"): (AR, "REJECTED"),
    ("REQUESTED", "withdraw"): (C, "WITHDRAWN"),
    ("REQUESTED", "cancel"): (EVERYONE, "CANCELLED"),
    ("REQUESTED", "extend_deadline"): (OP, None),
    ("CONFIRMED", "send_contract"): (AR, "CONTRACT_SENT"),
    ("CONFIRMED", "withdraw"): (C, "WITHDRAWN"),
    ("CONFIRMED", "cancel"): (EVERYONE, "CANCELLED"),
    ("CONFIRMED", "extend_deadline"): (OP, None),
    ("CONTRACT_SENT", "sign"): (C, "CLIENT_SIGNED"),
    ("CONTRACT_SENT", "cancel"): (EVERYONE, "CANCELLED"),
    ("CONTRACT_SENT", "extend_deadline"): (OP, None),
    ("CLIENT_SIGNED", "countersign"): (AR, "SIGNED"),
    ("CLIENT_SIGNED", "cancel"): (EVERYONE, "CANCELLED"),
    ("CLIENT_SIGNED", "extend_deadline"): (OP, None),
    ("SIGNED", "pay_deposit"): (C, None),
    ("SIGNED", "cancel"): (EVERYONE, "CANCELLED"),
    ("SIGNED", "extend_deadline"): (OP, None),
    ("DEPOSIT_PAID", "pay_balance"): (C, None),
    ("DEPOSIT_PAID", "cancel"): (EVERYONE, "CANCELLED"),
    ("DEPOSIT_PAID", "dispute"): (PARTIES, "DISPUTED"),
    ("DEPOSIT_PAID", "extend_deadline"): (OP, None),
    ("FULLY_PAID", "cancel"): (EVERYONE, "CANCELLED"),
    ("FULLY_PAID", "dispute"): (PARTIES, "DISPUTED"),
    ("PERFORMED", "confirm_performance"): (C, "ACCEPTED"),
    ("PERFORMED", "dispute"): (PARTIES, "DISPUTED"),
    ("ACCEPTED", "request_settlement"): (AR, "SETTLING"),
    ("ACCEPTED", "dispute"): (PARTIES, "DISPUTED"),
    ("SETTLING", "dispute"): (PARTIES, "DISPUTED"),
    ("DISPUTED", "resolve_dispute"): (OP, None),
}
ENDED = {"COMPLETED", "REJECTED", "EXPIRED", "WITHDRAWN", "CANCELLED"}


def _expected_refusal(status: str, action: str, role: str, show_started: bool) -> str | None:
    """The kind of refusal EXPECTED implies, checked in the order the user is told: role, ended, state, time."""
    if all(role not in roles for (_, a), (roles, _) in EXPECTED.items() if a == action):
        return "Forbidden"
    if status in ENDED:
        return "Closed"
    row = EXPECTED.get((status, action))
    if row is None or role not in row[0]:
        return "InvalidAction"
    if show_started and action == "cancel":
        return "InvalidAction"
    return None


def test_the_table_is_the_booking_flow():
    table = {(s.value, a.value): (move.roles, move.to.value if move.to else None)
             for (s, a), move in TRANSITIONS.items()}
    assert table == EXPECTED
    assert {s.value for s in FINAL} == ENDED
    assert {s.value for s in CANCELLABLE} == {s for (s, a) in EXPECTED if a == "cancel"}
    assert {s.value for s in DISPUTABLE} == {s for (s, a) in EXPECTED if a == "dispute"}


def test_ended_bookings_have_no_way_out_and_every_other_state_has_one():
    for status in BookingStatus:
        outgoing = [a for (s, a) in EXPECTED if s == status]
        assert bool(outgoing) == (status.value not in ENDED), status
    # Every state a move leads to exists; the rest are reached by payments, timers and activities, not by actions.
    reached = {to for _, to in EXPECTED.values() if to}
    assert reached <= {s.value for s in BookingStatus}
    assert {s.value for s in BookingStatus} - reached - {"REQUESTED"} == {
        "DEPOSIT_PAID", "FULLY_PAID", "PERFORMED", "COMPLETED", "EXPIRED"}


@pytest.mark.parametrize("show_started", [False, True])
@pytest.mark.parametrize(("status", "action"), list(itertools.product(BookingStatus, Action)))
def test_every_status_action_and_role(status: BookingStatus, action: Action, show_started: bool):
    for role in ROLES:
        row = EXPECTED.get((status.value, action.value))
        allowed_by_table = row is not None and role in row[0]
        got = refusal(status.value, action.value, role, show_started=show_started)
        want = _expected_refusal(status.value, action.value, role, show_started)
        assert (got.kind if got else None) == want, (status, action, role, show_started, got)
        assert (move_for(status.value, action.value, role) is not None) == allowed_by_table
        assert (action.value in allowed_actions(status.value, role, show_started=show_started)) == (want is None)


@pytest.mark.parametrize(("status", "action"), list(EXPECTED))
def test_no_role_outside_a_moves_roles(status: str, action: str):
    roles, _ = EXPECTED[(status, action)]
    for role in set(ROLES) - roles:
        assert move_for(status, action, role) is None
        assert refusal(status, action, role, show_started=False) is not None
        assert action not in allowed_actions(status, role)
    for role in roles:
        move = move_for(status, action, role)
        assert move is not None and move.roles == roles
        assert refusal(status, action, role, show_started=False) is None


def test_allowed_actions_in_table_order():
    # What the API lists on each booking (the clients draw their buttons from it).
    assert allowed_actions("REQUESTED", "artist") == ["confirm", "reject", "cancel"]
    assert allowed_actions("REQUESTED", "client") == ["withdraw", "cancel"]
    assert allowed_actions("REQUESTED", "operator") == ["cancel", "extend_deadline"]
    assert allowed_actions("CONFIRMED", "client") == ["withdraw", "cancel"]
    assert allowed_actions("CONTRACT_SENT", "client") == ["sign", "cancel"]
    assert allowed_actions("CLIENT_SIGNED", "artist") == ["countersign", "cancel"]
    assert allowed_actions("SIGNED", "client") == ["pay_deposit", "cancel"]
    assert allowed_actions("DEPOSIT_PAID", "client") == ["pay_balance", "cancel", "dispute"]
    assert allowed_actions("DEPOSIT_PAID", "client", show_started=True) == ["pay_balance", "dispute"]
    assert allowed_actions("DEPOSIT_PAID", "operator") == ["cancel", "extend_deadline"]
    assert allowed_actions("FULLY_PAID", "artist", show_started=True) == ["dispute"]
    assert allowed_actions("PERFORMED", "client") == ["confirm_performance", "dispute"]
    assert allowed_actions("PERFORMED", "operator") == []
    assert allowed_actions("ACCEPTED", "artist") == ["request_settlement", "dispute"]
    assert allowed_actions("SETTLING", "client") == ["dispute"]
    assert allowed_actions("DISPUTED", "operator") == ["resolve_dispute"]
    assert allowed_actions("DISPUTED", "client") == []
    for status in ENDED:
        assert all(allowed_actions(status, role) == [] for role in ROLES)


def test_refusal_messages():
    assert refusal("REQUESTED", "confirm", "client", show_started=False) == Refusal(
        "Forbidden", "只有艺人可以确认并报价")
    assert refusal("CONTRACT_SENT", "sign", "operator", show_started=False) == Refusal(
        "Forbidden", "只有需求方可以签署合同")
    assert refusal("DEPOSIT_PAID", "dispute", "operator", show_started=False) == Refusal(
        "Forbidden", "只有需求方或艺人可以发起纠纷")
    assert refusal("DISPUTED", "resolve_dispute", "artist", show_started=False) == Refusal(
        "Forbidden", "只有平台运营可以处理纠纷")
    # The role comes first: a client is told they may never confirm, even on a finished booking.
    assert refusal("COMPLETED", "confirm", "client", show_started=False) == Refusal(
        "Forbidden", "只有艺人可以确认并报价")
    assert refusal("COMPLETED", "cancel", "client", show_started=False) == Refusal(
        "Closed", "预约已结束（已完成），不能再操作")
    assert refusal("WITHDRAWN", "confirm", "artist", show_started=False) == Refusal(
        "Closed", "预约已结束（已撤回），不能再操作")
    assert refusal("REQUESTED", "sign", "client", show_started=False) == Refusal(
        "InvalidAction", "当前状态（待艺人确认）不能签署合同")
    assert refusal("PERFORMED", "cancel", "client", show_started=True) == Refusal(
        "InvalidAction", "当前状态（待确认演出）不能取消预约")
    assert refusal("FULLY_PAID", "cancel", "artist", show_started=True) == Refusal(
        "InvalidAction", "演出已开始，不能取消；如演出有问题，请发起纠纷")
    assert refusal("FULLY_PAID", "cancel", "artist", show_started=False) is None
    assert refusal("FULLY_PAID", "dispute", "artist", show_started=True) is None
