"""Every documented path is answered by its own route, whatever order api/app.py includes the routers in (the
order is chosen for speed: routes are tried one by one, the routers users hit most come first)."""

from __future__ import annotations

import re

from fastapi.routing import _IncludedRouter
from starlette.routing import Match

from api.app import create_app
from api.context import AppContext


def _plain(path: str) -> str:
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)  # {key:path} is documented as {key}


def _answering_route(app, method: str, path: str) -> str | None:
    scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b"",
             "app": app}
    for top in app.router.routes:
        match, _ = top.matches(scope)
        if match != Match.FULL:
            continue
        if isinstance(top, _IncludedRouter):  # which route of the router
            _, _, route, _ = top._match(scope)
            return top.include_context.prefix + _plain(route.path) if route is not None else None
        return _plain(top.path)
    return None


def test_each_documented_path_reaches_its_own_route(ctx: AppContext):
    app = create_app(ctx.settings, ctx)
    checked = 0
    for path, operations in app.openapi()["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        for method in operations:
            assert _answering_route(app, method.upper(), concrete) == path, (method, path)
            checked += 1
    assert checked > 200


def test_the_notification_centre_is_tried_before_the_admin_routes(ctx: AppContext):
    app = create_app(ctx.settings, ctx)
    order = [getattr(r, "original_router", None) for r in app.router.routes]
    from api.routers import admin, notifications

    assert order.index(notifications.router) < order.index(admin.router)
