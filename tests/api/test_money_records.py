"""Money records through the API: the client's 支付记录 and 支付凭证, the artist's 收入明细 and its Excel, and the
operators' 资金流水 with filters and Excel exports — over two clients, two artists and their bookings paid through
the sandbox cashier (one cancelled and refunded by the workflow, one settled), each list refused to the others."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import httpx
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.models import PaymentOrder, Payout, Refund
from domain.payments.sandbox import CALLBACK_PATH, SandboxGateway
from domain.time import SHANGHAI, utc_now
from tests.factories import insert_booking, user_id, verified_pair
from tests.helpers import V1, bearer, operator_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _booking_paid_through_the_sandbox(api: httpx.AsyncClient, db: Session, gateway: SandboxGateway,
                                            client_id: int, artist_id: int, fee: int, kinds: list[str]) -> int:
    """A signed booking (written straight to the tables) whose payments of `kinds` arrive as the sandbox
    gateway's signed callbacks, the path a real payment takes into payment_orders."""
    deposit = fee // 4
    bid = insert_booking(db, client_id, artist_id, status="SIGNED", start=utc_now() + timedelta(days=20),
                         fee_amount=fee, deposit_amount=deposit, balance_amount=fee - deposit)
    for kind in kinds:
        amount = deposit if kind == "deposit" else fee - deposit
        order = PaymentOrder(id=f"P{bid:06d}{kind}", booking_id=bid, kind=kind, amount=amount, gateway=gateway.name)
        db.add(order)
        db.commit()
        headers, body = gateway.signed_notification(order.id, amount)
        res = await api.post(CALLBACK_PATH, content=body, headers=headers)
        assert res.status_code == 200, res.text
    return bid


def _sheet(res: httpx.Response) -> list[list[Any]]:
    assert res.status_code == 200, res.text
    assert res.headers["content-type"] == XLSX and "attachment" in res.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(res.content)).active
    assert ws is not None
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _column(rows: list[list[Any]], header: str) -> tuple[list[Any], Any]:
    """The data cells of a column and its totals-row cell."""
    i = rows[0].index(header)
    assert str(rows[-1][0]).startswith("合计")
    return [r[i] for r in rows[1:-1]], rows[-1][i]


async def test_money_records_for_clients_artists_and_operators(paying: httpx.AsyncClient, db: Session,
                                                               ctx: AppContext) -> None:
    api = paying
    client_a, artist_x, x_id = await verified_pair(api, db, "13800000061", "13900000061")
    client_b, artist_y, y_id = await verified_pair(api, db, "13800000062", "13900000062")
    a_id, b_id = await user_id(api, client_a), await user_id(api, client_b)
    gateway = ctx.payments
    assert isinstance(gateway, SandboxGateway)
    settled = await _booking_paid_through_the_sandbox(api, db, gateway, a_id, x_id, 800_000, ["deposit", "balance"])
    cancelled = await _booking_paid_through_the_sandbox(api, db, gateway, b_id, y_id, 600_000, ["deposit"])
    # Client B's booking was cancelled and part of the deposit refunded; client A's was settled. (The workflow
    # paths that write these rows are the workflow suite's; here they are written as those paths write them.)
    refunded = 75_000
    deposit_order = f"P{cancelled:06d}deposit"
    db.add(Refund(booking_id=cancelled, step="refund-cancel", amount=refunded, status="succeeded", attempts=1,
                  gateway_refund_id=f"SBR{cancelled}", succeeded_at=utc_now(),
                  parts=[{"refund_no": f"R{cancelled}-deposit", "order_id": deposit_order, "gateway": "sandbox",
                          "amount": refunded, "state": "succeeded", "gateway_refund_id": f"SBR{cancelled}-1"}]))
    # The settled booking's payout, as the settlement writes it (the show and its timers are not walked here).
    payout = Payout(booking_id=settled, artist_id=x_id, gross_amount=800_000, commission_amount=80_000,
                    payout_amount=720_000, status="paid", channel="sandbox", paid_at=utc_now())
    db.add(payout)
    db.commit()

    # 支付记录: each client sees their own payments and refunds only.
    a_list = (await api.get(f"{V1}/me/payments", headers=bearer(client_a))).json()
    assert a_list["total"] == 2 and {i["title"] for i in a_list["items"]} == {"定金", "尾款"}
    assert sum(i["amount"] for i in a_list["items"]) == 800_000
    assert all(i["booking_id"] == settled and i["gateway_label"] == "沙箱支付" and i["gateway_txn_id"]
               and i["status_label"] == "已支付" for i in a_list["items"])
    b_list = (await api.get(f"{V1}/me/payments", headers=bearer(client_b))).json()
    assert b_list["total"] == 2 and [i["type"] for i in b_list["items"]] == ["refund", "payment"]
    assert b_list["items"][0]["amount"] == refunded and b_list["items"][0]["status_label"] == "已退款"
    assert b_list["items"][0]["gateway"] == "sandbox" and b_list["items"][0]["gateway_txn_id"]
    paged = (await api.get(f"{V1}/me/payments", headers=bearer(client_a), params={"page_size": 1, "page": 2})).json()
    assert paged["total"] == 2 and len(paged["items"]) == 1 and paged["items"][0]["id"] == a_list["items"][1]["id"]

    # 支付凭证: the payer's own; another client (or the artist) gets 404 / 403.
    b_order = b_list["items"][1]["order_id"]
    receipt = (await api.get(f"{V1}/me/payments/{b_order}", headers=bearer(client_b))).json()
    assert receipt["amount"] == 150_000 and receipt["kind_label"] == "定金" and receipt["is_sandbox"]
    assert receipt["payer"] == "星河科技有限公司" and receipt["artist_name"] == "林晚晴" and receipt["gateway_txn_id"]
    assert receipt["refunded_amount"] == refunded and [(r["amount"], r["gateway_refund_id"]) for r in
                                                       receipt["refunds"]] == [(refunded, f"SBR{cancelled}-1")]
    other = await api.get(f"{V1}/me/payments/{b_order}", headers=bearer(client_a))
    assert other.status_code == 404 and other.json()["code"] == "payment_not_found"
    assert (await api.get(f"{V1}/me/payments/{b_order}", headers=bearer(artist_y))).status_code == 403
    assert (await api.get(f"{V1}/me/payments/bad%00id", headers=bearer(client_b))).status_code == 422

    # 收入明细: each artist their own bookings; the range is by show date; the Excel adds up to the same totals.
    x_income = (await api.get(f"{V1}/me/artist/income/bookings", headers=bearer(artist_x))).json()
    assert [i["booking_id"] for i in x_income["items"]] == [settled]
    row = x_income["items"][0]
    assert (row["deposit_received_amount"], row["balance_received_amount"], row["commission_amount"],
            row["payout_amount"], row["refunded_amount"]) == (200_000, 600_000, 80_000, 720_000, 0)
    assert row["payout_status_label"] == "已到账"
    y_income = (await api.get(f"{V1}/me/artist/income/bookings", headers=bearer(artist_y))).json()
    assert [i["booking_id"] for i in y_income["items"]] == [cancelled]
    assert y_income["items"][0]["refunded_amount"] == refunded and y_income["items"][0]["payout_status"] == "unsettled"
    assert y_income["items"][0]["payout_status_label"] == "待结算"
    today = utc_now().astimezone(SHANGHAI).date()
    window = {"start": today.isoformat(), "end": today.replace(year=today.year + 1).isoformat()}
    assert (await api.get(f"{V1}/me/artist/income/bookings", headers=bearer(artist_x),
                          params=window)).json()["total"] == 1
    past = {"start": "2020-01-01", "end": "2020-12-31"}
    assert (await api.get(f"{V1}/me/artist/income/bookings", headers=bearer(artist_x),
                          params=past)).json()["total"] == 0
    backwards = await api.get(f"{V1}/me/artist/income/bookings", headers=bearer(artist_x),
                              params={"start": "2026-02-01", "end": "2026-01-01"})
    assert backwards.status_code == 422 and backwards.json()["code"] == "date_range_invalid"
    sheet = _sheet(await api.get(f"{V1}/me/artist/income/bookings.xlsx", headers=bearer(artist_x), params=window))
    totals = x_income["totals"]
    for header, key in [("定金已收(元)", "deposit_received_amount"), ("尾款已收(元)", "balance_received_amount"),
                        ("已退款(元)", "refunded_amount"), ("平台佣金(元)", "commission_amount"),
                        ("结算金额(元)", "payout_amount")]:
        cells, total = _column(sheet, header)
        assert round(sum(cells) * 100) == round(total * 100) == totals[key], header
    assert sheet[1][0] == settled and sheet[1][11] == "已到账"
    for who in (client_a, ):
        assert (await api.get(f"{V1}/me/artist/income/bookings.xlsx", headers=bearer(who))).status_code == 403
    assert (await api.get(f"{V1}/me/artist/income/bookings.xlsx")).status_code == 401

    # 资金流水: every payment, refund, payout and commission; filters; the Excel holds the filtered rows.
    ops = bearer(await operator_token(api, db))
    pays = (await api.get(f"{V1}/admin/money/payments", headers=ops, params={"status": "paid"})).json()
    assert pays["totals"] == {"count": 3, "amount": 950_000, "gross_amount": None, "commission_amount": None}
    by_artist = (await api.get(f"{V1}/admin/money/payments", headers=ops, params={"artist_id": y_id})).json()
    assert [i["booking_id"] for i in by_artist["items"]] == [cancelled] and by_artist["totals"]["amount"] == 150_000
    by_booking = (await api.get(f"{V1}/admin/money/payments", headers=ops,
                                params={"booking_id": settled, "status": "paid"})).json()
    assert by_booking["totals"]["amount"] == 800_000 and by_booking["items"][0]["artist_name"] == "林晚晴"
    assert (await api.get(f"{V1}/admin/money/payments", headers=ops,
                          params={"gateway": "wechatpay"})).json()["total"] == 0
    assert (await api.get(f"{V1}/admin/money/payments", headers=ops, params=past)).json()["total"] == 0
    sheet = _sheet(await api.get(f"{V1}/admin/money/payments.xlsx", headers=ops, params={"status": "paid"}))
    cells, total = _column(sheet, "金额(元)")
    assert len(cells) == 3 and round(sum(cells) * 100) == round(total * 100) == 950_000
    sheet = _sheet(await api.get(f"{V1}/admin/money/payments.xlsx", headers=ops, params={"artist_id": x_id,
                                                                                          "status": "paid"}))
    assert _column(sheet, "金额(元)")[1] == 8000

    refunds = (await api.get(f"{V1}/admin/money/refunds", headers=ops, params={"gateway": "sandbox"})).json()
    assert refunds["totals"]["amount"] == refunded and refunds["items"][0]["booking_id"] == cancelled
    assert refunds["items"][0]["status_label"] == "已退款"
    assert (await api.get(f"{V1}/admin/money/refunds", headers=ops, params={"artist_id": x_id})).json()["total"] == 0
    cells, total = _column(_sheet(await api.get(f"{V1}/admin/money/refunds.xlsx", headers=ops)), "金额(元)")
    assert round(total * 100) == refunded

    payouts = (await api.get(f"{V1}/admin/money/payouts", headers=ops)).json()
    assert payouts["totals"] == {"count": 1, "amount": 720_000, "gross_amount": 800_000, "commission_amount": 80_000}
    assert payouts["items"][0]["status_label"] == "已到账"
    assert payouts["items"][0]["channel_label"].startswith("沙箱出款")
    assert (await api.get(f"{V1}/admin/money/payouts", headers=ops,
                          params={"status": "failed"})).json()["total"] == 0
    sheet = _sheet(await api.get(f"{V1}/admin/money/payouts.xlsx", headers=ops))
    assert _column(sheet, "打款金额(元)")[1] == 7200 and _column(sheet, "佣金(元)")[1] == 800
    commissions = (await api.get(f"{V1}/admin/money/commissions", headers=ops)).json()
    assert commissions["totals"]["amount"] == 80_000 and commissions["items"][0]["commission_rate_bp"] > 0
    sheet = _sheet(await api.get(f"{V1}/admin/money/commissions.xlsx", headers=ops, params={"artist_id": x_id}))
    assert _column(sheet, "佣金(元)")[1] == 800
    empty = _sheet(await api.get(f"{V1}/admin/money/commissions.xlsx", headers=ops, params={"artist_id": y_id}))
    assert _column(empty, "佣金(元)") == ([], 0) and empty[-1][0] == "合计（0条）"

    for path in ("/admin/money/payments", "/admin/money/refunds.xlsx", "/admin/money/payouts",
                 "/admin/money/commissions.xlsx"):
        assert (await api.get(f"{V1}{path}", headers=bearer(client_a))).status_code == 403
        assert (await api.get(f"{V1}{path}", headers=bearer(artist_x))).status_code == 403
