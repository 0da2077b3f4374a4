"""Server processes keep what they start with out of the collector's full collections (domain.heap): the API once
its lifespan started, the contract document process once spawned."""

from __future__ import annotations

import gc
import warnings

from activities.contract_documents import DocumentMaker
from api.app import create_app
from api.context import AppContext

with warnings.catch_warnings():  # it would rather run on `httpx2`
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def test_the_api_freezes_what_it_started_with(ctx: AppContext) -> None:
    app = create_app(ctx.settings, ctx)
    assert gc.get_freeze_count() == 0
    with TestClient(app) as http:
        assert gc.get_freeze_count() > 100_000  # the modules, routes and models of the app at least
        assert http.get("/api/v1/meta/options").status_code == 200  # and it still answers


def test_the_document_process_freezes_what_it_starts_with(database_url: str) -> None:
    maker = DocumentMaker(database_url)
    try:
        frozen = maker.executor.submit(gc.get_freeze_count).result(timeout=120)
    finally:
        maker.shutdown()
    assert frozen > 50_000  # fpdf2, fontTools, pyhanko and the models, imported before it
