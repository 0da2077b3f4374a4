"""Engine and sessions. The request (or activity) boundary commits; services only flush."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import MetaData, create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from domain.errors import AppError

if TYPE_CHECKING:
    from domain.settings import Settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def sqlalchemy_url(url: str) -> str:
    """Accept plain libpq URIs (as embedded PostgreSQL prints them) and pin the psycopg2 driver."""
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


class DatabaseNotConfigured(RuntimeError):
    """Start-up refused: DATABASE_URL is unset (only `make run`'s launcher starts an embedded database)."""


def database_url_from_settings(settings: Settings) -> str:
    """The configured DATABASE_URL; the api, the worker and the maintenance commands never start an engine."""
    if not settings.database_url:
        raise DatabaseNotConfigured(
            "未配置数据库：请设置 DATABASE_URL（例如 postgresql://用户:密码@主机:5432/yanyue）；"
            "本机 `make run` 的内嵌数据库地址可用 `python -m devstack env` 查看。"
            " The database is not configured: set DATABASE_URL (e.g. postgresql://user:password@host:5432/yanyue);"
            " for the embedded database of `make run`, `python -m devstack env` prints it."
        )
    return sqlalchemy_url(settings.database_url)


@lru_cache
def get_engine(url: str) -> Engine:
    return create_engine(sqlalchemy_url(url), pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache
def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A unit of work outside a request (seed, activities): commit on success, roll back on error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except AppError as exc:
        if exc.keep_writes:  # the refusal is recorded (a counted miss, a revoked session), then answered
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def xact_lock(session: Session, key: str) -> None:
    """Serialise writers of one thing (a phone's codes, a list that is replaced whole) until the transaction ends:
    a PostgreSQL advisory lock on a 64-bit hash of `key`."""
    session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
