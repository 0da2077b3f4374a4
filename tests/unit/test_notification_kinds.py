"""Which kind each booking step's notification is: it picks the user's channel settings (and whether SMS is
offered), so a reminder must land on the urgent kind only when it is the day before."""

from __future__ import annotations

import pytest

from domain.notifications.kinds import CATALOGUE, Channel, Kind, booking_step_kind, default_enabled, kind_of


@pytest.mark.parametrize(("action", "step", "kind"), [
    ("request", "001-requested", Kind.BOOKING_REQUEST),
    ("reminder", "002-remind_response", Kind.BOOKING_REQUEST),
    ("expire", "003-expire_response", Kind.BOOKING_RESULT),
    ("confirm", "002-confirm", Kind.BOOKING_RESULT),
    ("reject", "002-reject", Kind.BOOKING_RESULT),
    ("send_contract", "003-send_contract", Kind.CONTRACT),
    ("countersign", "005-countersign", Kind.CONTRACT),
    ("reminder", "004-remind_contract", Kind.CONTRACT),
    ("expire", "006-expire_hold", Kind.CANCELLATION),
    ("cancel", "006-expire_deposit", Kind.CANCELLATION),
    ("cancel", "007-cancel", Kind.CANCELLATION),
    ("deposit_paid", "007-paid-12", Kind.PAYMENT_RECEIVED),
    ("reminder", "008-remind_balance_7", Kind.PAYMENT_REMINDER),
    ("reminder", "009-remind_balance_1", Kind.PAYMENT_DUE),
    ("balance_overdue", "010-balance_overdue", Kind.PAYMENT_REMINDER),
    ("performed", "011-performed", Kind.PERFORMANCE),
    ("refunded", "012-cancel-refund-done", Kind.REFUND),
    ("dispute", "012-dispute", Kind.DISPUTE),
    ("resolve_dispute", "013-resolve_dispute", Kind.DISPUTE),
    ("settled", "014-settle", Kind.SETTLEMENT),
    ("payout_failed", "014-payout-failed", Kind.SETTLEMENT),
    ("extend_deadline", "004-extend_deadline", Kind.OTHER),
])
def test_booking_steps_map_to_their_kind(action: str, step: str, kind: Kind) -> None:
    assert booking_step_kind(action, step) == kind


def test_sms_is_offered_and_on_by_default_only_for_urgent_kinds() -> None:
    urgent = {k for k, info in CATALOGUE.items() if info.urgent}
    assert urgent == {Kind.BOOKING_REQUEST, Kind.PAYMENT_DUE, Kind.SHOW_TOMORROW, Kind.CANCELLATION}
    for kind in Kind:
        assert default_enabled(kind, Channel.IN_APP) and default_enabled(kind, Channel.WECHAT)
        assert default_enabled(kind, Channel.SMS) == (kind in urgent)
    assert kind_of("no-such-kind") == Kind.OTHER and kind_of("refund") == Kind.REFUND
