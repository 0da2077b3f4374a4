"""系统设置 (every rule with validation and history) and the integration status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from api.deps import Ctx, Db, require_permission
from domain.accounts.permissions import Permission
from domain.models import Operator
from domain.system import integrations, service
from domain.system.schemas import (
    CustomerServiceOut,
    IntegrationOut,
    QuoteDefaultsOut,
    SettingChangeOut,
    SettingIn,
    SettingOut,
)

router = APIRouter(tags=["admin"])
SettingsOp = Annotated[Operator, Depends(require_permission(Permission.SYSTEM_SETTINGS))]
IntegrationOp = Annotated[Operator, Depends(require_permission(Permission.SYSTEM_INTEGRATION))]
RuleKey = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z_.]+$",
                              description="规则键，如 booking.response_hours")]


@router.get("/admin/settings", response_model=list[SettingOut], summary="系统设置：全部平台规则")
def list_settings(op: SettingsOp, db: Db) -> list[SettingOut]:
    """Every rule by group, with its label, type, bounds, default and the value in effect."""
    return service.list_settings(db)


@router.put("/admin/settings", response_model=SettingOut, summary="修改平台规则",
            responses={422: {"description": "没有这项规则，或取值不符合规则（不做任何修改）"}})
def put_setting(body: SettingIn, op: SettingsOp, db: Db) -> SettingOut:
    """One rule's new value; the change (before and after) is kept in its history."""
    return service.change_setting(db, body.key, body.value, op.id)


@router.get("/admin/settings/{key}/history", response_model=list[SettingChangeOut], summary="平台规则修改记录")
def setting_history(key: RuleKey, op: SettingsOp, db: Db) -> list[SettingChangeOut]:
    return service.history(db, key)


@router.get("/meta/customer-service", response_model=CustomerServiceOut, summary="客服联系方式（公开）")
def customer_service(db: Db) -> CustomerServiceOut:
    """What the mini-program's 联系客服 shows; an empty field is not set yet."""
    return service.customer_service(db)


@router.get("/meta/quote-defaults", response_model=QuoteDefaultsOut, summary="报价默认值（公开）")
def quote_defaults(db: Db) -> QuoteDefaultsOut:
    """What the artist's quote form starts from: the balance due days and refund tiers in 系统设置 (a quote that
    leaves them out gets the same)."""
    return service.quote_defaults(db)


@router.get("/admin/system/integrations", response_model=list[IntegrationOut], summary="集成状态")
async def integration_status(op: IntegrationOp, ctx: Ctx) -> list[IntegrationOut]:
    """Which adapter serves SMS, WeChat login, content security, real-name checks, payments, payouts, search,
    storage, Temporal and the database; whether it is a sandbox; whether it answers now (short probes, at once)."""
    return await integrations.integration_status(ctx)
