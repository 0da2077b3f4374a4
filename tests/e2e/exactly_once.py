"""What a booking that went through a fault (a worker, PostgreSQL or Temporal killed under it) must show once it
ended: nothing lost and nothing done twice, read from the database the e2e Stack runs on.

- one paid order per kind with its amount, each with exactly one notification in the callback inbox;
- each booking_events step once, and each of the named actions exactly once (no unexpected payment);
- one refund row per step with its amount, succeeded, and one `refunded` event per refund;
- no notification twice for the same user and step, nor under two steps with the same title (reminders aside);
- no operator flag; the payout row(s) as expected and paid; every journal entry balanced and the booking's
  ledger settled (tests/workflows/ledger_invariants.py)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from tests.e2e.booking_stack import Stack
from tests.workflows.ledger_invariants import booking_problems, unbalanced_entries

REPEATABLE_TITLES = ("尾款即将到期",)  # reminders may repeat by design


def assert_once(stack: Stack, booking_id: int, *, paid: dict[str, int], once: Iterable[str],
                refunds: dict[str, int] | None = None, payouts: int = 1) -> None:
    where = f"booking {booking_id}"
    rows = stack.sql("SELECT kind, count(*), sum(amount) FROM payment_orders WHERE booking_id = :b "
                     "AND status = 'paid' GROUP BY kind ORDER BY kind", b=booking_id)
    assert [tuple(r) for r in rows] == [(k, 1, paid[k]) for k in sorted(paid)], (where, rows)
    inbox = stack.sql("SELECT o.kind, count(n.id), count(DISTINCT n.notification_id) FROM payment_orders o "
                      "LEFT JOIN payment_notifications n ON n.order_id = o.id WHERE o.booking_id = :b "
                      "AND o.status = 'paid' GROUP BY o.kind ORDER BY o.kind", b=booking_id)
    assert [tuple(r) for r in inbox] == [(k, 1, 1) for k in sorted(paid)], (where, inbox)

    steps = stack.sql("SELECT count(*), count(DISTINCT step) FROM booking_events WHERE booking_id = :b", b=booking_id)
    assert steps[0][0] == steps[0][1], (where, steps)
    counts = dict(stack.sql("SELECT action, count(*) FROM booking_events WHERE booking_id = :b GROUP BY action",
                            b=booking_id))
    once = list(once)
    assert {a: counts.get(a, 0) for a in once} == dict.fromkeys(once, 1), (where, counts)
    assert counts.get("unexpected_payment", 0) == 0, (where, counts)

    refunds = refunds or {}
    got = stack.sql("SELECT step, amount, status FROM refunds WHERE booking_id = :b ORDER BY step", b=booking_id)
    assert [tuple(r) for r in got] == [(s, refunds[s], "succeeded") for s in sorted(refunds)], (where, got)
    assert counts.get("refunded", 0) == len(refunds), (where, counts)

    dup_notes = stack.sql("SELECT user_id, step, count(*) FROM notifications WHERE booking_id = :b "
                          "GROUP BY user_id, step HAVING count(*) > 1", b=booking_id)
    assert dup_notes == [], (where, dup_notes)
    # Titles too: a redone step must not notify under another step name.
    dup_titles = stack.sql("SELECT user_id, title, count(*) FROM notifications WHERE booking_id = :b "
                           "AND NOT (title = ANY(:repeatable)) GROUP BY user_id, title HAVING count(*) > 1",
                           b=booking_id, repeatable=list(REPEATABLE_TITLES))
    assert dup_titles == [], (where, dup_titles)

    assert stack.sql("SELECT count(*) FROM payouts WHERE booking_id = :b", b=booking_id) == [(payouts,)], where
    if payouts:
        assert stack.sql("SELECT status FROM payouts WHERE booking_id = :b", b=booking_id) == [("paid",)], where
    # An operator flag would also make the ledger check below vacuous (it only judges settled bookings).
    assert stack.sql("SELECT needs_operator FROM bookings WHERE id = :b", b=booking_id) == [(None,)], where
    assert stack._engine is not None
    with Session(bind=stack._engine) as session:
        assert unbalanced_entries(session) == [], where
        assert booking_problems(session, booking_id) == [], where
