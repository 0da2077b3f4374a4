"""Operator permission codes (`admin:<area>:<action>`), the same codes the console's menu carries.

Every /admin route names one code (api.deps.require_permission); an operator's role grants a set of codes.
`operator_may` is the one check."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from domain.models import Operator, Role


class Permission(StrEnum):
    # users and artists
    USER_LIST = "admin:user:list"
    USER_STATUS = "admin:user:status"
    USER_EXPORT = "admin:user:export"
    ARTIST_LIST = "admin:artist:list"
    ARTIST_EXPORT = "admin:artist:export"
    PII_VIEW = "admin:pii:view"  # unmasked phone numbers / ID numbers in lists and exports
    # orders and disputes
    ORDER_LIST = "admin:order:list"
    ORDER_INTERVENE = "admin:order:intervene"
    DISPUTE_RESOLVE = "admin:dispute:resolve"
    CONTRACT_TEMPLATE = "admin:contract:template"
    # content review and the mini-program's content
    CONTENT_PROFILE = "admin:content:profile"
    CONTENT_CASE = "admin:content:case"
    CONTENT_DEMAND = "admin:content:demand"
    CONTENT_REVIEW = "admin:content:review"
    CONTENT_QUALIFICATION = "admin:content:qualification"
    CONTENT_TAG = "admin:content:tag"
    CONTENT_HOME = "admin:content:home"  # 首页推荐 and banners
    CONTENT_ANNOUNCEMENT = "admin:content:announcement"
    # money
    FINANCE_FLOW = "admin:finance:flow"
    FINANCE_SETTLEMENT = "admin:finance:settlement"
    FINANCE_PAYOUT = "admin:finance:payout"
    FINANCE_RECONCILIATION = "admin:finance:reconciliation"
    # numbers
    DASHBOARD_VIEW = "admin:dashboard:view"
    # system
    SYSTEM_SETTINGS = "admin:system:settings"
    SYSTEM_INTEGRATION = "admin:system:integration"
    SYSTEM_BACKUP = "admin:system:backup"
    SYSTEM_OPERATOR = "admin:system:operator"
    SYSTEM_ROLE = "admin:system:role"
    SYSTEM_AUDIT = "admin:system:audit"


def operator_may(session: Session, operator: Operator, code: Permission) -> bool:
    """Whether the operator's role grants `code`: super_admin holds every code (so a role edit never locks the
    console out), any other role the codes its row lists. A disabled operator may do nothing."""
    if not operator.is_active:
        return False
    role = session.get(Role, operator.role_id)
    return role is not None and (role.code == "super_admin" or code.value in role.permissions)
