"""Automatic audit of a console write: every ORM row the request's session changes, written as one audit row when
the session commits (in the same transaction, so a rolled-back request leaves no row and a committed one always
has its row).

`start(session, ...)` arms a session (api.deps.require_permission does it for each non-GET /admin request). The
listeners below are global but do nothing for a session that was not armed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.base import NO_VALUE

from domain.audit.log import record
from domain.audit.masking import MASK, is_secret, jsonable, mask
from domain.models import AuditLog

_KEY = "audit.pending"


@dataclass
class Pending:
    operator_id: int | None
    action: str
    summary: str
    target_type: str | None
    target_id: str | None
    request: dict[str, Any] | None
    ip: str | None
    changes: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (table, pk json) → change
    bulk: list[dict[str, Any]] = field(default_factory=list)  # UPDATE/DELETE statements (rows unknown)
    row: AuditLog | None = None
    committed: tuple[dict[tuple[str, str], dict[str, Any]], list[dict[str, Any]]] | None = None

    def change_list(self) -> list[dict[str, Any]]:
        return [*self.changes.values(), *self.bulk]


def start(session: Session, *, operator_id: int | None, action: str, summary: str, target_type: str | None,
          target_id: str | None, request: dict[str, Any] | None, ip: str | None) -> None:
    session.info[_KEY] = Pending(operator_id, action, summary, target_type, target_id, request, ip)


def _value(key: str, value: Any) -> Any:
    return MASK if is_secret(key) and value is not None else jsonable(value)


def _columns(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    return {attr.key: _value(attr.key, state.attrs[attr.key].loaded_value) for attr in state.mapper.column_attrs
            if state.attrs[attr.key].loaded_value is not NO_VALUE}


def _row_change(obj: Any, op: str) -> tuple[tuple[str, str], dict[str, Any]] | None:
    state = inspect(obj)
    mapper = state.mapper
    table = mapper.local_table.name
    pk = {col.key: jsonable(v) for col, v in zip(mapper.primary_key, mapper.primary_key_from_instance(obj),
                                                   strict=True)}
    change: dict[str, Any] = {"table": table, "pk": pk, "op": op}
    if op == "insert":
        change["before"], change["after"] = None, _columns(obj)
    elif op == "delete":
        change["before"], change["after"] = _columns(obj), None
    else:
        before, after = {}, {}
        for attr in mapper.column_attrs:
            hist = state.attrs[attr.key].history
            if not hist.has_changes():
                continue
            before[attr.key] = _value(attr.key, hist.deleted[0] if hist.deleted else None)
            after[attr.key] = _value(attr.key, hist.added[0] if hist.added else None)
        if not after:
            return None
        change["before"], change["after"] = before, after
    return (table, json.dumps(pk, sort_keys=True)), change


def _merge(pending: Pending, key: tuple[str, str], change: dict[str, Any]) -> None:
    """Several flushes of one request touch a row once in the log: the first before, the last after."""
    seen = pending.changes.get(key)
    if seen is None:
        pending.changes[key] = change
        return
    if change["op"] == "delete":
        seen["op"], seen["after"] = ("delete" if seen["op"] != "insert" else "insert+delete"), None
        return
    if seen["after"] is None:
        seen["after"] = change["after"]
        return
    for col, after in change["after"].items():
        if seen["op"] == "update" and col not in seen["before"]:
            seen["before"][col] = change["before"][col]
        seen["after"][col] = after


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _ctx: UOWTransaction) -> None:
    pending: Pending | None = session.info.get(_KEY)
    if pending is None:
        return
    for objs, op in ((session.new, "insert"), (session.dirty, "update"), (session.deleted, "delete")):
        for obj in objs:
            if isinstance(obj, AuditLog):
                continue
            found = _row_change(obj, op)
            if found is not None:
                _merge(pending, *found)


@event.listens_for(Session, "do_orm_execute")
def _collect_statement(state: ORMExecuteState) -> None:
    """UPDATE/DELETE/INSERT statements run through the session do not pass the flush: note the table and values."""
    pending: Pending | None = state.session.info.get(_KEY)
    if pending is None or not (state.is_update or state.is_delete or state.is_insert):
        return
    stmt = state.statement
    table = getattr(getattr(stmt, "table", None), "name", None)
    if table is None or table == AuditLog.__tablename__:
        return
    op = "update" if state.is_update else "delete" if state.is_delete else "insert"
    try:
        params = stmt.compile().params  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a statement that cannot compile alone is still audited, without values
        params = {}
    pending.bulk.append({"table": table, "op": op, "statement": True, "values": mask(params)})


def _created_id(pending: Pending) -> str | None:
    """A create route has no id in its path: the target is the row it inserted into the area's table
    (POST /admin/roles → the new roles row)."""
    for change in pending.changes.values():
        if change["op"] == "insert" and change["table"] == pending.target_type and len(change["pk"]) == 1:
            return str(next(iter(change["pk"].values())))
    return None


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    pending: Pending | None = session.info.get(_KEY)
    if pending is None:
        return
    session.flush()  # the last changes reach _collect first
    if pending.row is None:
        pending.row = record(session, operator_id=pending.operator_id, action=pending.action,
                             summary=pending.summary, target_type=pending.target_type,
                             target_id=pending.target_id or _created_id(pending), changes=pending.change_list(),
                             request=pending.request, ip=pending.ip)
    else:  # a request that commits twice keeps one row
        pending.row.changes = pending.change_list()
        session.flush()


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    pending: Pending | None = session.info.get(_KEY)
    if pending is not None:
        pending.committed = ({k: dict(v) for k, v in pending.changes.items()}, list(pending.bulk))


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, _previous: Any) -> None:
    """Changes of a rolled-back transaction never happened; neither did an audit row not yet committed."""
    pending: Pending | None = session.info.get(_KEY)
    if pending is None or _previous.nested:  # a savepoint: the request's transaction (and its row) goes on
        return
    if pending.committed is None:
        pending.changes, pending.bulk, pending.row = {}, [], None
    else:
        pending.changes, pending.bulk = dict(pending.committed[0]), list(pending.committed[1])
