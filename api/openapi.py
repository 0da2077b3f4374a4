"""The OpenAPI document states the real error shape and, per route and status, the error codes it can answer.

The codes come from the route's code and its dependencies' (api.error_codes: every AppError they can raise, plus
what a function states with `@raises`), and from its shape (a body → 400 body_invalid and 413, parameters → 422
validation_error). `python -m api.docs` turns the result into the error table of docs/api-v1.md."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel, Field

from api.error_codes import raised_by

CODES = "x-error-codes"

DESCRIPTIONS = {400: "请求有误", 401: "未登录或登录已失效", 403: "没有权限", 404: "内容不存在", 409: "状态冲突",
                413: "请求内容过大", 415: "不支持的文件类型", 422: "请求参数有误", 429: "操作过于频繁",
                502: "外部服务出错", 503: "服务暂时不可用"}


class FieldError(BaseModel):
    field: str = Field(description="出错的字段，如 quote.fee_amount")
    message: str = Field(description="中文说明")


class ErrorOut(BaseModel):
    code: str = Field(description="稳定的错误码（snake_case），见 docs/api-v1.md 的错误码表")
    message: str = Field(description="中文，可直接展示给用户")
    detail: Any = Field(default=None, description="补充信息（对象、数组或 null）")


class ValidationErrorOut(BaseModel):
    code: str = Field(description="validation_error（或该接口声明的其他 422 错误码）")
    message: str = Field(description="第一个出错字段的中文说明")
    detail: list[FieldError] | dict[str, Any] | None = Field(
        description="validation_error 时为 [{field, message}]；其他 422 为 null 或补充信息（如图片尺寸上限）")


def _calls(dependant: Dependant) -> Iterable[Callable[..., Any]]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


def _codes(route: RouteContext) -> list[tuple[int, str]]:
    """(status, code) the route can answer: validation first, then the rest by status and code."""
    found = {(status, code) for _, status, code in raised_by(route.endpoint)}
    for call in _calls(route.dependant):
        found |= {(status, code) for _, status, code in raised_by(call)}
    dependant = route.dependant
    if any(d.path_params or d.query_params or d.header_params or d.cookie_params or d.body_params
           for d in (dependant, *_all(dependant))):
        found.add((422, "validation_error"))
    if route.body_field is not None:
        found |= {(400, "body_invalid"), (413, "payload_too_large")}
    return sorted(found, key=lambda pair: (pair[1] != "validation_error", pair))


def _all(dependant: Dependant) -> Iterable[Dependant]:
    for dep in dependant.dependencies:
        yield dep
        yield from _all(dep)


def _error_content(status: int) -> dict[str, Any]:
    name = "ValidationErrorOut" if status == 422 else "ErrorOut"
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _document(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (FieldError, ErrorOut, ValidationErrorOut):
        components[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
    # FastAPI's own 422 body is never sent (api.errors answers {code, message, detail}).
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    # Included routers are resolved lazily (FastAPI 0.16x): walk them the way get_openapi does.
    routes = {(r.path_format, m.lower()): r for r in iter_route_contexts(app.routes)
              if isinstance(r.original_route, APIRoute) for m in r.methods or ()}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            route = routes.get((path, method))
            if route is None:
                continue
            responses = operation.setdefault("responses", {})
            for status, code in _codes(route):
                entry = responses.setdefault(str(status), {"description": DESCRIPTIONS.get(status, "错误")})
                codes = entry.setdefault(CODES, [])
                if code not in codes:
                    codes.append(code)
            if "422" in responses:  # FastAPI's own, for any parameter this walk did not see
                responses["422"].setdefault(CODES, ["validation_error"])
            for status, entry in responses.items():
                if status.isdigit() and int(status) >= 400 and CODES in entry:  # not e.g. /healthz's 503 body
                    entry["content"] = _error_content(int(status))
            if "422" in responses:
                responses["422"]["description"] = DESCRIPTIONS[422]
            operation["responses"] = dict(sorted(responses.items()))
    return schema


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
