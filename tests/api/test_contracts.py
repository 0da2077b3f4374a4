"""E-contracts through the API and the real BookingWorkflow: the document generated from the current template
version when the artist sends it, signing confirmed by an SMS code (refused without one, nothing recorded), the
evidence of each signature, the final PDF with both signatures sealed by the platform (PAdES) that a changed
byte fails to verify, download links for the parties only, and template versions kept by sent contracts."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.accounts.crypto import mask_id_number, mask_name
from domain.accounts.verification import ID_CONTEXT, NAME_CONTEXT
from domain.models import Contract, ContractSignCode, RealNameVerification, SignatureEvidence, User
from tests.factories import inquiry_body, signature_png, verified_pair
from tests.helpers import V1, bearer, operator_token, sign_code

QUOTE = {"fee_amount": 1_250_000, "deposit_percent": 30, "balance_due_days": 3, "rider": ["需提供音响"]}


def _real_names(db: Session, ctx: AppContext, **people: tuple[str, str]) -> None:
    """Verified real-name rows (phone -> (legal name, ID number)), as the verification flow leaves them."""
    for phone, (name, id_number) in people.items():
        user = db.scalar(select(User).where(User.phone == phone))
        assert user is not None
        db.add(RealNameVerification(
            user_id=user.id, subject="person", status="verified",
            legal_name_cipher=ctx.cipher.encrypt(name, context=NAME_CONTEXT), legal_name_masked=mask_name(name),
            id_number_cipher=ctx.cipher.encrypt(id_number, context=ID_CONTEXT),
            id_number_hash=ctx.cipher.lookup_hash(id_number), id_number_masked=mask_id_number(id_number)))
    db.commit()


async def _sent_contract(api: httpx.AsyncClient, client: str, artist: str, aid: int, phone: str, days: int) -> int:
    res = await api.post(f"{V1}/inquiries", headers=bearer(client),
                         json=inquiry_body([aid], days=days, hours=2, contact_phone=phone))
    assert res.status_code == 201, res.text
    bid = res.json()["bookings"][0]["id"]
    for action, body in (("confirm", {"quote": QUOTE}), ("send_contract", {})):
        res = await api.post(f"{V1}/bookings/{bid}/actions/{action}", headers=bearer(artist), json=body)
        assert res.status_code == 200, res.text
    return int(bid)


def _png_of(pdf: bytes, name: str, tmp: Path) -> Path:
    """The first page rendered by poppler; kept in CONTRACT_PNG_DIR when set, to be looked at."""
    (tmp / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(tmp / f"{name}.pdf"), str(tmp / name)], check=True)
    pages = sorted(tmp.glob(f"{name}-*.png"))
    assert pages and all(p.stat().st_size > 10_000 for p in pages)
    if os.environ.get("CONTRACT_PNG_DIR"):
        for p in pages:
            shutil.copy(p, Path(os.environ["CONTRACT_PNG_DIR"]) / p.name)
    return pages[-1]


async def test_signing_needs_the_sms_code_and_the_sealed_pdf_detects_changes(
        paying: httpx.AsyncClient, db: Session, ctx: AppContext, tmp_path: Path):
    api = paying
    client, artist, aid = await verified_pair(api, db, "13800000701", "13900000701")
    _real_names(db, ctx, **{"13800000701": ("王明远", "110101199003071234"),
                            "13900000701": ("林晚晴", "310101199512120028")})
    bid = await _sent_contract(api, client, artist, aid, "13800000701", days=30)
    path = f"{V1}/bookings/{bid}/contract"

    view = (await api.get(path, headers=bearer(client))).json()
    assert view["template_version"] == 1 and view["can_sign"] and view["my_side"] == "client"
    assert "王明远" in view["body"] and "1101**********1234" in view["body"] and "林晚晴" in view["body"]
    assert "12,500.00" in view["body"] and "壹万贰仟伍佰元整" in view["body"]
    assert len(view["document_sha256"]) == 64 and view["sealed_sha256"] is None and view["evidence"] == []
    unsigned = await api.post(f"{path}/download-link", headers=bearer(client))
    assert unsigned.json()["kind"] == "unsigned"
    _png_of((await api.get(unsigned.json()["url"])).content, "contract-unsigned", tmp_path)

    async def sign(token: str, action: str, code: str | None, ua: str = "pytest-signer") -> httpx.Response:
        body = {"signature_png_base64": signature_png(), **({"sms_code": code} if code is not None else {})}
        return await api.post(f"{V1}/bookings/{bid}/actions/{action}", headers={**bearer(token), "User-Agent": ua},
                              json=body)

    def recorded() -> tuple[object, int]:
        db.expire_all()
        contract = db.get(Contract, bid)
        assert contract is not None
        return contract.client_signed_at, db.scalar(select(func.count()).select_from(SignatureEvidence).where(
            SignatureEvidence.booking_id == bid)) or 0

    # Not the artist's turn yet: no code for them.
    early = await api.post(f"{path}/sign-code", headers=bearer(artist))
    assert early.status_code == 409 and early.json()["code"] == "not_your_turn_to_sign"
    # Without a code, and with a wrong one: refused, nothing recorded.
    without = await sign(client, "sign", None)
    assert without.status_code == 422 and without.json()["code"] == "sign_code_required", without.text
    assert "验证码" in without.json()["message"]
    assert recorded() == (None, 0)
    code = await sign_code(api, client, bid)
    again = await api.post(f"{path}/sign-code", headers=bearer(client))
    assert again.status_code == 429 and again.json()["code"] == "sms_too_frequent"
    wrong = await sign(client, "sign", "000000" if code != "000000" else "111111")
    assert wrong.status_code == 400 and wrong.json()["code"] == "sign_code_invalid", wrong.text
    assert wrong.json()["detail"] == {"attempts_left": 4}
    assert recorded() == (None, 0)
    assert (await api.get(f"{V1}/bookings/{bid}", headers=bearer(client))).json()["status"] == "CONTRACT_SENT"

    res = await sign(client, "sign", code, ua="Mozilla/5.0 (iPhone) MicroMessenger")
    assert res.status_code == 200 and res.json()["status"] == "CLIENT_SIGNED", res.text
    # The code is spent: the artist's turn needs the artist's own code.
    assert (await sign(artist, "countersign", code)).json()["code"] == "sign_code_invalid"
    res = await sign(artist, "countersign", await sign_code(api, artist, bid))
    assert res.status_code == 200 and res.json()["status"] == "SIGNED", res.text

    view = (await api.get(path, headers=bearer(artist))).json()
    assert view["can_sign"] is False and len(view["sealed_sha256"]) == 64
    assert [s["signed_at"] is not None and s["signature_url"] is not None for s in view["signatures"]] == [True, True]
    evidence = {e["side"]: e for e in view["evidence"]}
    assert set(evidence) == {"client", "artist"}
    assert evidence["client"]["user_agent"] == "Mozilla/5.0 (iPhone) MicroMessenger"
    assert evidence["client"]["document_sha256"] == view["document_sha256"]
    assert evidence["client"]["phone_masked"] == "138****0701"
    codes = {c.side: c.id for c in db.scalars(select(ContractSignCode).where(
        ContractSignCode.booking_id == bid, ContractSignCode.consumed_at.is_not(None)))}
    assert {s: evidence[s]["sms_confirmation_id"] for s in evidence} == codes
    row = db.scalar(select(SignatureEvidence).where(SignatureEvidence.booking_id == bid,
                                                    SignatureEvidence.side == "artist"))
    assert row is not None and row.ip and row.signer_id == (await api.get(
        f"{V1}/me", headers=bearer(artist))).json()["id"]

    # The sealed PDF: both signatures on it, the seal validates, and it matches the platform's record.
    link = (await api.post(f"{path}/download-link", headers=bearer(client))).json()
    assert link["kind"] == "sealed" and link["sha256"] == view["sealed_sha256"]
    pdf = (await api.get(link["url"])).content
    _png_of(pdf, "contract-sealed", tmp_path)
    ok = (await api.post(f"{V1}/contracts/verify", files={"file": ("c.pdf", pdf, "application/pdf")})).json()
    assert ok["matches_record"] and ok["seal"]["valid"] and ok["seal"]["intact"] and ok["seal"]["trusted"], ok
    assert ok["contract_no"] == f"YY-{bid:08d}" and "验证通过" in ok["verdict"]

    # One byte changed inside the signed revision: neither the record nor the seal holds.
    at = pdf.index(b"/Producer")
    changed = pdf[:at + 12] + bytes([pdf[at + 12] ^ 1]) + pdf[at + 13:]
    bad = (await api.post(f"{V1}/contracts/verify", files={"file": ("c.pdf", changed, "application/pdf")})).json()
    assert bad["matches_record"] is False and bad["seal"]["valid"] is False and bad["seal"]["intact"] is False, bad
    # Bytes appended after the seal (an incremental update): the seal no longer covers the whole file.
    appended = pdf + b"\n% appended\n"
    tail = (await api.post(f"{V1}/contracts/verify", files={"file": ("c.pdf", appended, "application/pdf")})).json()
    assert tail["matches_record"] is False and tail["seal"]["valid"] is False
    not_pdf = await api.post(f"{V1}/contracts/verify", files={"file": ("c.pdf", b"hello", "application/pdf")})
    assert not_pdf.status_code == 422 and not_pdf.json()["code"] == "pdf_invalid"

    # Only the parties and operators get links; another client learns nothing.
    other = (await verified_pair(api, db, "13800000702", "13900000702"))[0]
    for url, method in ((path, "GET"), (f"{path}/download-link", "POST"), (f"{path}/sign-code", "POST")):
        refused = await api.request(method, url, headers=bearer(other))
        assert refused.status_code == 404, (url, refused.text)
        assert (await api.request(method, url)).status_code == 401
    ops = await operator_token(api, db)
    admin_link = await api.post(f"{V1}/admin/bookings/{bid}/contract/download-link", headers=bearer(ops))
    assert admin_link.status_code == 200 and admin_link.json()["sha256"] == view["sealed_sha256"]
    assert (await api.post(f"{V1}/admin/bookings/{bid}/contract/download-link",
                           headers=bearer(client))).status_code == 403


async def test_a_booking_keeps_the_template_version_it_was_sent_with(paying: httpx.AsyncClient, db: Session):
    api = paying
    client, artist, aid = await verified_pair(api, db, "13800000711", "13900000711")
    first = await _sent_contract(api, client, artist, aid, "13800000711", days=30)
    ops = await operator_token(api, db)
    listed = (await api.get(f"{V1}/admin/contract-templates", headers=bearer(ops))).json()
    assert [t["version"] for t in listed["items"]] == [1] and "client_name" in listed["placeholders"]

    bad = await api.post(f"{V1}/admin/contract-templates", headers=bearer(ops),
                         json={"title": "新合同", "body": "甲方：${client_nmae}，乙方：${artist_name}，其余按规则。"})
    assert bad.status_code == 422 and bad.json()["code"] == "contract_template_invalid" and "client_nmae" in \
        bad.json()["message"]
    body = ("演出合同第二版\n甲方：${client_name}\n乙方：${artist_name}\n演出费用：人民币${fee}元。\n"
            "${cancellation_tiers}")
    created = await api.post(f"{V1}/admin/contract-templates", headers=bearer(ops),
                             json={"title": "演出服务合同（第二版）", "body": body, "note": "简化条款"})
    assert created.status_code == 201 and created.json()["version"] == 2 and created.json()["is_current"]
    one = (await api.get(f"{V1}/admin/contract-templates/{created.json()['id']}", headers=bearer(ops))).json()
    assert one["body"] == body
    assert (await api.get(f"{V1}/admin/contract-templates", headers=bearer(client))).status_code == 403

    kept = (await api.get(f"{V1}/bookings/{first}/contract", headers=bearer(client))).json()
    assert kept["template_version"] == 1 and "演出合同第二版" not in kept["body"] and "第六条 平台角色" in kept["body"]
    second = await _sent_contract(api, client, artist, aid, "13800000711", days=45)
    new = (await api.get(f"{V1}/bookings/{second}/contract", headers=bearer(artist))).json()
    assert new["template_version"] == 2 and new["title"] == "演出服务合同（第二版）"
    assert new["body"].startswith("演出合同第二版") and "12,500.00" in new["body"]
    assert new["my_side"] == "artist" and new["can_sign"] is False
