"""The terms a contract is rendered from: display strings (yuan with two decimals, Shanghai time, verified names,
masked ID numbers) computed once when the contract is sent and kept with the document."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.accounts.crypto import FieldCipher
from domain.accounts.verification import decrypted_identity
from domain.bookings.messages import DEFAULT_TIERS
from domain.models import ArtistProfile, Booking, ClientProfile, Inquiry, RealNameVerification
from domain.time import SHANGHAI

PLATFORM_NAME = "演约平台"
# Placeholder -> what it holds (the console lists these next to the template editor).
PLACEHOLDERS = {
    "contract_no": "合同编号", "client_name": "甲方名称（实名）", "client_id_number": "甲方证件号（脱敏）",
    "artist_name": "乙方姓名（实名）", "artist_stage_name": "乙方艺名", "artist_id_number": "乙方证件号（脱敏）",
    "platform_name": "平台名称", "performance_date": "演出日期", "performance_time": "演出时间",
    "city": "城市", "venue": "演出地点", "programme": "演出类型及节目", "rider": "技术及其他需求",
    "fee": "演出费用（元）", "fee_upper": "演出费用大写", "deposit": "定金（元）", "balance": "尾款（元）",
    "balance_due": "尾款截止时间", "cancellation_tiers": "取消退款阶梯", "note": "补充说明",
}
EVENT_TYPES = {"annual_party": "年会", "launch": "发布会", "wedding": "婚礼", "bar": "酒吧驻唱",
               "campus": "校园活动", "festival": "节庆活动", "other": "其他"}


def yuan(fen: int | None) -> str:
    fen = fen or 0
    return f"{fen // 100:,}.{fen % 100:02d}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_SECTIONS = ["", "万", "亿"]


def yuan_upper(fen: int | None) -> str:
    """人民币大写, e.g. 10000.50 -> 壹万元伍角整."""
    fen = fen or 0
    whole, jiao, fen_part = fen // 100, fen // 10 % 10, fen % 10
    if whole == 0:
        out = ""
    else:
        parts, section = [], 0
        while whole:
            chunk, whole = whole % 10000, whole // 10000
            s, zero = "", False
            for i in range(3, -1, -1):
                d = chunk // 10**i % 10
                if d:
                    s += ("零" if zero and s else "") + _DIGITS[d] + _UNITS[i]
                    zero = False
                else:
                    zero = True
            if chunk:
                # 100100 -> 壹拾万零壹佰: a lower section under 1000 reads with a 零 when a higher one follows
                parts.append(("零" if chunk < 1000 and whole else "") + s + _SECTIONS[section])
            elif parts and not parts[-1].startswith("零"):
                parts.append("零")
            section += 1
        out = "".join(reversed(parts)).strip("零") + "元"
    tail = ""
    if jiao:
        tail += _DIGITS[jiao] + "角"
    if fen_part:
        tail += _DIGITS[fen_part] + "分"
    return (out or "零元") + (tail or "整") if not (tail and not out) else tail


def _identity(session: Session, cipher: FieldCipher, user_id: int) -> tuple[str | None, str]:
    row = session.scalar(select(RealNameVerification).where(
        RealNameVerification.user_id == user_id, RealNameVerification.status == "verified")
        .order_by(RealNameVerification.id.desc()).limit(1))
    if row is None:
        return None, "未实名认证"
    name, _ = decrypted_identity(cipher, row)
    return name, row.id_number_masked


def _local(at: datetime) -> datetime:
    return at.astimezone(SHANGHAI)


def build(session: Session, cipher: FieldCipher, booking: Booking) -> dict[str, str]:
    inquiry = session.get(Inquiry, booking.inquiry_id)
    assert inquiry is not None
    client_profile = session.get(ClientProfile, booking.client_id)
    artist_profile = session.get(ArtistProfile, booking.artist_id)
    client_name, client_id_no = _identity(session, cipher, booking.client_id)
    artist_name, artist_id_no = _identity(session, cipher, booking.artist_id)
    stage_name = artist_profile.stage_name if artist_profile else "—"
    quote: dict[str, Any] = booking.quote or {}
    tiers = quote.get("cancellation_tiers") or [{"days_before": t.days_before, "refund_percent": t.refund_percent}
                                                for t in DEFAULT_TIERS]
    tier_lines = [f"（{i}）距演出开始{t['days_before']}天及以上取消：退还已付定金的{t['refund_percent']}%；"
                  for i, t in enumerate(sorted(tiers, key=lambda t: -t["days_before"]), 1)]
    start, end = _local(booking.start_at), _local(booking.end_at)
    requirements = (inquiry.requirements or "").strip()
    programme = EVENT_TYPES.get(inquiry.event_type, inquiry.event_type)
    if requirements:
        programme += f"；{requirements}"
    return {
        "contract_no": f"YY-{booking.id:08d}",
        "client_name": client_name or (client_profile.org_name if client_profile else "—") + "（未实名认证）",
        "client_id_number": client_id_no,
        "artist_name": artist_name or stage_name + "（未实名认证）",
        "artist_stage_name": stage_name,
        "artist_id_number": artist_id_no,
        "platform_name": PLATFORM_NAME,
        "performance_date": start.strftime("%Y年%m月%d日"),
        "performance_time": f"{start:%H:%M}至{end:%H:%M}",
        "city": inquiry.city, "venue": inquiry.venue_address, "programme": programme,
        "rider": "；".join(quote.get("rider") or []) or "无",
        "fee": yuan(booking.fee_amount), "fee_upper": yuan_upper(booking.fee_amount),
        "deposit": yuan(booking.deposit_amount), "balance": yuan(booking.balance_amount),
        "balance_due": _local(booking.balance_due_at).strftime("%Y年%m月%d日 %H:%M")
        if booking.balance_due_at else "演出开始",
        "cancellation_tiers": "\n".join(tier_lines),
        "note": f"补充说明：{quote['note']}" if quote.get("note") else "",
    }
