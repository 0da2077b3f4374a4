"""The console's user list as an Excel file, with the list's filters.

Personal data — phone numbers, real names, ID numbers — is masked (138****5678, 王*, 1101**********1234) unless
the operator may see it (Permission.PII_VIEW): the caller decides and passes `pii`. Real names and ID numbers are
stored encrypted; they are decrypted only for an unmasked export."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.orm import Session, selectinload

from domain.accounts.crypto import FieldCipher, mask_name
from domain.accounts.verification import ID_CONTEXT, NAME_CONTEXT
from domain.enums import ACCOUNT_STATUS_LABELS, INDUSTRY_LABELS, ROLE_LABELS
from domain.models import RealNameVerification, User
from domain.privacy import mask_phone, phone_search
from domain.xlsx import Column, workbook

MAX_EXPORT_ROWS = 50_000
VERIFICATION_LABELS = {"unverified": "未认证", "pending": "审核中", "verified": "已认证", "rejected": "未通过"}

USER_COLUMNS = [
    Column("用户ID", "int", 10, total=False), Column("手机号", width=16), Column("角色", width=14),
    Column("账号状态", width=10), Column("实名状态", width=10), Column("实名姓名", width=12),
    Column("证件号码", width=22), Column("机构名称", width=24), Column("行业", width=12), Column("联系人", width=10),
    Column("联系电话", width=16), Column("艺名", width=16), Column("艺人城市", width=10),
    Column("注册时间", "datetime", 20),
]


def users_query(*, phone: str | None, role: str | None, status: str | None, pii: bool) -> Select[Any]:
    """The users the console list shows for these filters (domain.accounts.users.list_users), newest first."""
    q = select(User).options(selectinload(User.client_profile), selectinload(User.artist_profile))
    if phone:
        q = q.where(phone_search(User.phone, phone, pii=pii))
    if role == "client":
        q = q.where(User.client_profile.has())
    elif role == "artist":
        q = q.where(User.artist_profile.has())
    if status:
        q = q.where(User.status == status)
    return q.order_by(User.id.desc())


def _latest_verifications(session: Session, user_ids: list[int]) -> dict[int, RealNameVerification]:
    if not user_ids:
        return {}
    rows = session.scalars(select(RealNameVerification).where(RealNameVerification.user_id.in_(user_ids))
                           .order_by(RealNameVerification.user_id, RealNameVerification.created_at.desc(),
                                     RealNameVerification.id.desc())
                           .ext(distinct_on(RealNameVerification.user_id)))
    return {v.user_id: v for v in rows}


def users_workbook(session: Session, cipher: FieldCipher, *, phone: str | None, role: str | None,
                   status: str | None, pii: bool) -> bytes:
    users = list(session.scalars(users_query(phone=phone, role=role, status=status, pii=pii).limit(MAX_EXPORT_ROWS)))
    verifications = _latest_verifications(session, [u.id for u in users])

    def shown_phone(value: str | None) -> str:
        return (value or "") if pii else mask_phone(value)

    rows = []
    for u in users:
        cp, ap, v = u.client_profile, u.artist_profile, verifications.get(u.id)
        legal_name = id_number = ""
        if v is not None:
            legal_name = cipher.decrypt(v.legal_name_cipher, context=NAME_CONTEXT) if pii else v.legal_name_masked
            id_number = cipher.decrypt(v.id_number_cipher, context=ID_CONTEXT) if pii else v.id_number_masked
        contact = cp.contact_name if cp else ""
        rows.append([
            u.id, shown_phone(u.phone), "、".join(ROLE_LABELS.get(r, r) for r in u.roles),
            ACCOUNT_STATUS_LABELS.get(u.status, u.status),
            VERIFICATION_LABELS.get(u.verification_status, u.verification_status), legal_name, id_number,
            cp.org_name if cp else "", INDUSTRY_LABELS.get(cp.industry, cp.industry) if cp else "",
            contact if pii or not contact else mask_name(contact), shown_phone(cp.contact_phone) if cp else "",
            ap.stage_name if ap else "", ap.city if ap else "", u.created_at,
        ])
    return workbook("用户列表", USER_COLUMNS, rows)
