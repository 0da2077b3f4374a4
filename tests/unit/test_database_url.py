"""Production processes read DATABASE_URL and never start a database themselves (only `make run`'s launcher
does): without it the api, the worker and the maintenance commands stop with a message in Chinese and English."""

from __future__ import annotations

import pytest

from api.app import build_context
from domain.db import DatabaseNotConfigured, database_url_from_settings
from domain.settings import Settings
from search import __main__ as search_cli
from storage import __main__ as storage_cli


def unconfigured() -> Settings:
    return Settings(_env_file=None, database_url=None)


def test_database_url_is_required() -> None:
    with pytest.raises(DatabaseNotConfigured) as refused:
        database_url_from_settings(unconfigured())
    assert "未配置数据库" in str(refused.value) and "set DATABASE_URL" in str(refused.value)
    with pytest.raises(DatabaseNotConfigured):
        build_context(unconfigured())
    configured = Settings(_env_file=None, database_url="postgresql://u@h/yanyue")
    assert database_url_from_settings(configured) == "postgresql+psycopg2://u@h/yanyue"


@pytest.mark.parametrize("argv", [["search", "reindex"], ["search", "drain"], ["storage", "cleanup"]])
def test_maintenance_commands_say_how_to_get_database_url(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(search_cli, "Settings", unconfigured)
    monkeypatch.setattr("domain.settings.get_settings", unconfigured)
    cli = search_cli if argv[0] == "search" else storage_cli
    with pytest.raises(SystemExit) as exited:
        cli.main(argv[1:])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "未配置数据库" in err and "DATABASE_URL" in err and "python -m devstack env" in err
