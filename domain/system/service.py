"""Listing and changing the platform rules: a change is validated by the registry, stored, and kept in history
(setting_changes: who, when, before, after) in the request's transaction, so a refused value changes nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.accounts.rules import get_rule
from domain.models import Operator, SettingChange, SystemSetting
from domain.system import registry
from domain.system.registry import GROUPS, RULES, Rule
from domain.system.schemas import CustomerServiceOut, QuoteDefaultsOut, SettingChangeOut, SettingOut, TierDefault
from domain.time import utc_now

HISTORY_LIMIT = 200


def _view(r: Rule, row: SystemSetting | None, names: dict[int, str]) -> SettingOut:
    return SettingOut(
        key=r.key, label=r.label, group=r.group, group_label=GROUPS[r.group], kind=r.kind,
        value=row.value if row is not None else r.default, default=r.default, help=r.help, unit=r.unit,
        min=r.min, max=r.max, max_length=r.max_length, pattern=r.pattern, pattern_hint=r.pattern_hint,
        updated_at=row.updated_at if row is not None else None,
        updated_by=names.get(row.updated_by) if row is not None and row.updated_by else None)


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Operator.id, Operator.display_name).where(Operator.id.in_(ids))).all()
    return {op_id: name for op_id, name in rows}


def list_settings(session: Session) -> list[SettingOut]:
    """Every rule in the registry's order (group by group), with the value in effect."""
    stored = {s.key: s for s in session.scalars(select(SystemSetting))}
    names = _names(session, {s.updated_by for s in stored.values() if s.updated_by})
    return [_view(r, stored.get(r.key), names) for r in RULES]


def change_setting(session: Session, key: str, value: Any, operator_id: int) -> SettingOut:
    """Store a checked value; an unchanged value writes nothing (no empty history rows)."""
    r = registry.rule(key)
    clean = registry.clean(key, value)
    # Serialise concurrent changes of one rule (a row lock; a rule never changed gets its row at its default
    # first, so two first changes queue on it instead of colliding): before/after in history follow each other.
    row = session.get(SystemSetting, key, with_for_update=True)
    if row is None:
        if clean == r.default:
            return _view(r, None, {})
        session.execute(insert(SystemSetting).values(key=key, value=r.default)
                        .on_conflict_do_nothing(index_elements=["key"]))
        row = session.get(SystemSetting, key, with_for_update=True, populate_existing=True)
        assert row is not None
    before = row.value
    if before != clean:
        row.value, row.updated_at, row.updated_by = clean, utc_now(), operator_id
        session.add(SettingChange(key=key, before=before, after=clean, operator_id=operator_id))
        session.flush()
    return _view(r, row, _names(session, {row.updated_by} if row.updated_by else set()))


def history(session: Session, key: str) -> list[SettingChangeOut]:
    registry.rule(key)
    rows = session.execute(
        select(SettingChange, Operator.display_name)
        .outerjoin(Operator, Operator.id == SettingChange.operator_id)
        .where(SettingChange.key == key)
        .order_by(SettingChange.created_at.desc(), SettingChange.id.desc()).limit(HISTORY_LIMIT)).all()
    return [SettingChangeOut(id=c.id, key=c.key, before=c.before, after=c.after, operator_id=c.operator_id,
                             operator_name=name, created_at=c.created_at) for c, name in rows]


def customer_service(session: Session) -> CustomerServiceOut:
    return CustomerServiceOut(phone=get_rule(session, "service.phone"), wechat=get_rule(session, "service.wechat"),
                              hours=get_rule(session, "service.hours"))


def quote_defaults(session: Session) -> QuoteDefaultsOut:
    tiers = [TierDefault(**t) for t in get_rule(session, "booking.cancellation_tiers")]
    days = int(get_rule(session, "booking.balance_due_days"))
    return QuoteDefaultsOut(balance_due_days=days, cancellation_tiers=tiers)
