"""Excel exports of the operators' 结算审批 and 对账差异 queues: the same filters as their lists, the same rows, and
totals that add up to the list's figures; refused to everyone but operators."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import httpx
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.accounts import sessions
from domain.models import Payout, ReconciliationDifference
from domain.time import SHANGHAI, utc_now
from tests.factories import artist_row, insert_booking, user_row
from tests.helpers import V1, bearer, operator_token


def _rows(res: httpx.Response) -> list[list[Any]]:
    assert res.status_code == 200, res.text
    assert res.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    ws = load_workbook(io.BytesIO(res.content)).active
    assert ws is not None
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _fen(rows: list[list[Any]], header: str) -> tuple[int, int]:
    """Σ of a money column's cells and its totals-row cell, back in fen."""
    i = rows[0].index(header)
    return round(sum(r[i] or 0 for r in rows[1:-1]) * 100), round(rows[-1][i] * 100)


async def test_settlement_and_difference_exports(api: httpx.AsyncClient, db: Session, ctx: AppContext) -> None:
    clients = [user_row(db, f"1380000007{i}") for i in range(2)]
    artists = [artist_row(db, f"1390000007{i}") for i in range(2)]
    past = utc_now() - timedelta(days=5)
    bookings = [insert_booking(db, clients[i % 2].id, artists[i % 2], status="SETTLING", start=past,
                               fee_amount=fee) for i, fee in enumerate((800_000, 500_000, 300_000))]
    for bid, (i, status) in zip(bookings, enumerate(("pending_approval", "failed", "paid")), strict=True):
        fee = (800_000, 500_000, 300_000)[i]
        db.add(Payout(booking_id=bid, artist_id=artists[i % 2], gross_amount=fee, commission_amount=fee // 10,
                      payout_amount=fee - fee // 10, status=status,
                      failure_reason="收款账户不存在" if status == "failed" else None))
    day = utc_now().astimezone(SHANGHAI).date() - timedelta(days=1)
    db.add_all([
        ReconciliationDifference(gateway="sandbox", day=day, key="a", kind="amount_mismatch", line_kind="payment",
                                 order_id="P1", booking_id=bookings[0], our_amount=200_000, gateway_amount=199_900,
                                 detail="金额不一致"),
        ReconciliationDifference(gateway="wechatpay", day=day, key="b", kind="missing_on_our_side",
                                 line_kind="payment", order_id="P2", gateway_amount=50_000, detail="平台漏记"),
    ])
    db.commit()
    ops = bearer(await operator_token(api, db))

    listed = (await api.get(f"{V1}/admin/settlements", headers=ops, params={"page_size": 100})).json()
    rows = _rows(await api.get(f"{V1}/admin/settlements.xlsx", headers=ops))
    assert len(rows) == 2 + listed["total"] and listed["total"] == 3
    assert [r[0] for r in rows[1:-1]] == [s["booking_id"] for s in listed["items"]]  # the list's order
    assert _fen(rows, "打款金额(元)") == (sum(s["payout_amount"] for s in listed["items"]),) * 2 == (1_440_000,) * 2
    assert _fen(rows, "佣金(元)")[1] == 160_000
    failed = _rows(await api.get(f"{V1}/admin/settlements.xlsx", headers=ops,
                                 params={"status": ["failed", "pending_approval"], "artist_id": artists[1]}))
    assert [r[0] for r in failed[1:-1]] == [bookings[1]] and "收款账户不存在" in failed[1]

    listed = (await api.get(f"{V1}/admin/reconciliation/differences", headers=ops)).json()
    rows = _rows(await api.get(f"{V1}/admin/reconciliation/differences.xlsx", headers=ops))
    assert len(rows) == 2 + listed["total"] == 4
    assert _fen(rows, "渠道金额(元)") == (249_900, 249_900) and _fen(rows, "平台金额(元)")[1] == 200_000
    only = _rows(await api.get(f"{V1}/admin/reconciliation/differences.xlsx", headers=ops,
                               params={"gateway": "wechatpay"}))
    assert len(only) == 3 and only[1][2] == "微信支付" and only[1][12] == "待处理"

    user = user_row(db, "13800000079")  # a logged-in user, no operator
    token = sessions.open_session(db, ctx.tokens, user=user).access_token
    db.commit()
    for path in ("/admin/settlements.xlsx", "/admin/reconciliation/differences.xlsx"):
        assert (await api.get(f"{V1}{path}")).status_code == 401
        assert (await api.get(f"{V1}{path}", headers=bearer(token))).status_code == 403
