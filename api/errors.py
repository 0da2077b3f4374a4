"""Every error leaves as {"code", "message", "detail"} with a real HTTP status and Chinese text."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.service import RPCError, RPCStatusCode

from domain.errors import AppError
from domain.inputs import TEXT_ERRORS
from integrations.errors import IntegrationError

log = logging.getLogger(__name__)

FIELD_LABELS = {
    "phone": "手机号", "code": "验证码", "refresh_token": "刷新令牌", "role": "身份",
    "org_name": "机构名称", "industry": "行业", "contact_name": "联系人", "contact_phone": "联系电话",
    "stage_name": "艺名", "artist_types": "艺人类型", "styles": "表演风格", "city": "城市",
    "contact_wechat": "微信号", "subject": "认证主体", "legal_name": "姓名", "id_number": "身份证号",
    "licence_upload_id": "营业执照", "username": "用户名", "password": "密码", "display_name": "显示名称",
    "status": "状态", "reason": "原因", "key": "设置项", "value": "设置值", "page": "页码",
    "page_size": "每页条数", "q": "关键词", "artist_type": "艺人类型", "file": "文件", "body": "正文",
    "start_date": "开始日期", "end_date": "结束日期", "start": "开始日期", "end": "结束日期", "weekdays": "星期",
    "start_time": "开始时间", "end_time": "结束时间", "timezone": "时区", "note": "备注", "slot_id": "档期",
    "artist_ids": "艺人", "event_type": "活动类型", "start_at": "演出开始时间", "end_at": "演出结束时间",
    "venue_address": "演出地址", "audience_size": "观众人数", "requirements": "需求说明", "budget_amount": "预算",
    "quote": "报价", "fee_amount": "演出费", "deposit_percent": "定金比例", "balance_due_days": "尾款提前天数",
    "cancellation_tiers": "取消条款", "refund_amount": "退款金额", "resolution": "处理方式",
    "extend_hours": "延长小时数", "evidence": "证据", "booking_ids": "预约", "signature_png_base64": "签名",
    "days_before": "提前天数", "refund_percent": "退款比例", "rider": "附加条款",
    "budget_min_amount": "最低预算", "budget_max_amount": "最高预算", "description": "描述", "message": "留言",
    "date": "日期", "purpose": "用途", "content_type": "文件类型", "token": "上传凭证", "moderation_status": "审核状态",
    "effect_score": "演出效果评分", "attitude_score": "服务态度评分", "punctuality_score": "守时评分",
    "text": "评价内容", "photo_upload_ids": "评价照片", "reply": "回复内容",
    "avatar_upload_id": "头像", "regions": "演出地区", "active_since_year": "从业起始年份", "bio": "个人简介",
    "works": "代表作品", "team": "团队成员", "prices": "价格表", "duration_minutes": "演出时长",
    "min_amount": "最低价", "max_amount": "最高价", "negotiable": "可议价", "travel_terms": "差旅食宿说明",
    "hide_prices": "隐藏价格", "hide_contact": "隐藏联系方式", "name": "名称", "title": "标题",
    "upload_id": "文件", "kind": "类型", "month": "月份", "performed_on": "演出日期", "media": "图片和视频",
    "media_upload_ids": "图片和视频", "ids": "排序", "tag": "标签",
    "price_min": "最低价", "price_max": "最高价", "min_rating": "最低评分", "available_on": "档期日期",
    "sort": "排序方式", "X-Artist-Id": "代为操作的艺人", "x-artist-id": "代为操作的艺人",
    "date_from": "开始日期", "date_to": "结束日期",
}

PATTERN_HINTS = {"phone": "请输入11位手机号", "contact_phone": "请输入11位手机号", "code": "请输入6位数字验证码",
                 "id_number": "请输入18位身份证号", "username": "3-40位字母、数字或 _ . -"}


def _message(err: dict[str, Any]) -> str:
    loc = [str(p) for p in err.get("loc", ())]
    if loc and loc[0] in ("body", "query", "path", "header"):  # only the location: a field may be named "body"
        loc = loc[1:]
    name = next((p for p in reversed(loc) if not p.isdigit()), "")
    label = FIELD_LABELS.get(name, name or "请求")
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "value_error":  # our own model validators speak Chinese already
        return str(err.get("msg", "")).removeprefix("Value error, ") or f"{label}不正确"
    if kind == "missing":
        return f"{label}不能为空"
    if kind == "json_invalid":
        return "请求内容不是合法的 JSON"
    if kind in TEXT_ERRORS:  # domain.inputs.Text
        return f"{label}{TEXT_ERRORS[kind]}"
    if kind == "date_out_of_range":  # domain.inputs.InputDate
        return f"{label}须在{ctx.get('min')}至{ctx.get('max')}之间"
    if kind == "extra_forbidden":
        return f"不支持的字段：{name}"
    if kind == "string_too_short":
        return f"{label}不能为空" if ctx.get("min_length") == 1 else f"{label}至少{ctx.get('min_length')}个字"
    if kind == "string_too_long":
        return f"{label}最多{ctx.get('max_length')}个字"
    if kind == "string_pattern_mismatch":
        return f"{label}格式不正确" + (f"（{PATTERN_HINTS[name]}）" if name in PATTERN_HINTS else "")
    if kind in ("enum", "literal_error"):
        return f"{label}的取值无效，可选：{ctx.get('expected', '')}"
    if kind == "too_long":
        return f"{label}最多{ctx.get('max_length')}项"
    if kind == "too_short":
        return f"{label}至少{ctx.get('min_length')}项"
    if kind.startswith("int"):
        return f"{label}必须是整数"
    if kind.startswith("float"):
        return f"{label}必须是数字"
    if kind.startswith("bool"):
        return f"{label}必须是是/否"
    if kind == "greater_than_equal":
        return f"{label}不能小于{ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"{label}不能大于{ctx.get('le')}"
    if kind in ("greater_than", "less_than"):
        return f"{label}超出允许范围"
    if kind.startswith("string") or kind == "str_type":
        return f"{label}必须是文字"
    if kind in ("list_type", "model_type", "dict_type", "model_attributes_type"):
        return f"{label}格式不正确"
    return f"{label}不正确"


def _field_loc(err: dict[str, Any]) -> list[Any]:
    loc = list(err.get("loc", ()))
    return loc[1:] if loc[:1] == ["body"] else loc  # the body's own fields are named bare; "query.q" keeps its place


def _body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "detail": detail}


def install(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(_: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(_body(exc.code, exc.message, exc.detail), status_code=exc.status)

    @app.exception_handler(IntegrationError)
    async def integration_error(_: Request, exc: IntegrationError) -> JSONResponse:
        log.warning("outside service error %s (provider code %s)", exc.code, exc.provider_code)
        return JSONResponse(_body(exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        detail = [{"field": ".".join(str(p) for p in _field_loc(e)), "message": _message(e)} for e in errors]
        return JSONResponse(_body("validation_error", detail[0]["message"] if detail else "请求参数有误",
                                  detail), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # 400: FastAPI could not read the body at all (e.g. not UTF-8); malformed JSON is a 422 above.
        messages = {400: ("body_invalid", "请求内容无法解析，请发送 UTF-8 编码的 JSON"),
                    404: ("not_found", "接口不存在"), 405: ("method_not_allowed", "不支持的请求方法"),
                    413: ("payload_too_large", "请求内容过大")}
        code, message = messages.get(exc.status_code, ("http_error", str(exc.detail)))
        return JSONResponse(_body(code, message), status_code=exc.status_code, headers=exc.headers)

    # Outages, not bugs: PostgreSQL restarting or Temporal unreachable answer 503, which clients and payment gateways
    # retry, instead of a 500 with a stack trace. (The SDK has already retried a refused Temporal call for ~10 s.)
    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(DisconnectionError)
    @app.exception_handler(PoolTimeout)
    async def database_unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", str(exc).splitlines()[0][:300])
        return JSONResponse(_body("service_unavailable", "服务暂时不可用，请稍后重试"), status_code=503,
                            headers={"Retry-After": "5"})

    @app.exception_handler(RPCError)
    async def temporal_error(request: Request, exc: RPCError) -> JSONResponse:
        if exc.status not in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            return await unexpected(request, exc)
        log.warning("temporal unavailable: %s", exc.message[:300])
        return JSONResponse(_body("temporal_unavailable", "工作流服务暂时不可用，请稍后重试"), status_code=503,
                            headers={"Retry-After": "5"})

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(_body("internal_error", "服务器开小差了，请稍后重试"), status_code=500)
