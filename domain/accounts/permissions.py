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
    COMPLAINT_HANDLE = "admin:complaint:handle"  # 投诉工单: assign, reply, resolve
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
    CONTENT_HELP = "admin:content:help"  # 帮助中心 articles
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
    # The Temporal UI reads every booking and can send any signal or update, with an operator id the sender types:
    # only for those trusted with everything (super_admin by default; no built-in role lists it).
    SYSTEM_TEMPORAL_UI = "admin:system:temporal_ui"


# The role editor's catalogue: each code's group and Chinese label, in the menu's order.
CATALOGUE: dict[Permission, tuple[str, str]] = {
    Permission.USER_LIST: ("用户与艺人", "查看用户列表"),
    Permission.USER_STATUS: ("用户与艺人", "警告或封禁账号"),
    Permission.USER_EXPORT: ("用户与艺人", "导出用户"),
    Permission.ARTIST_LIST: ("用户与艺人", "查看艺人与统计"),
    Permission.ARTIST_EXPORT: ("用户与艺人", "导出艺人"),
    Permission.PII_VIEW: ("用户与艺人", "查看未打码的个人信息"),
    Permission.ORDER_LIST: ("订单与纠纷", "查看订单"),
    Permission.ORDER_INTERVENE: ("订单与纠纷", "干预订单（取消、延期）"),
    Permission.DISPUTE_RESOLVE: ("订单与纠纷", "裁决纠纷"),
    Permission.COMPLAINT_HANDLE: ("订单与纠纷", "处理投诉工单"),
    Permission.CONTRACT_TEMPLATE: ("订单与纠纷", "管理合同模板"),
    Permission.CONTENT_PROFILE: ("内容", "审核艺人资料"),
    Permission.CONTENT_CASE: ("内容", "审核演出案例"),
    Permission.CONTENT_DEMAND: ("内容", "审核需求"),
    Permission.CONTENT_REVIEW: ("内容", "管理评价"),
    Permission.CONTENT_QUALIFICATION: ("内容", "审核资质"),
    Permission.CONTENT_TAG: ("内容", "管理标签"),
    Permission.CONTENT_HOME: ("内容", "首页推荐与横幅"),
    Permission.CONTENT_ANNOUNCEMENT: ("内容", "公告"),
    Permission.CONTENT_HELP: ("内容", "帮助中心文章"),
    Permission.FINANCE_FLOW: ("资金", "查看资金流水"),
    Permission.FINANCE_SETTLEMENT: ("资金", "结算审核"),
    Permission.FINANCE_PAYOUT: ("资金", "打款"),
    Permission.FINANCE_RECONCILIATION: ("资金", "对账"),
    Permission.DASHBOARD_VIEW: ("数据", "查看数据看板"),
    Permission.SYSTEM_SETTINGS: ("系统", "修改平台规则"),
    Permission.SYSTEM_INTEGRATION: ("系统", "查看集成状态"),
    Permission.SYSTEM_BACKUP: ("系统", "数据备份"),
    Permission.SYSTEM_OPERATOR: ("系统", "管理运营账号"),
    Permission.SYSTEM_ROLE: ("系统", "管理角色与权限"),
    Permission.SYSTEM_AUDIT: ("系统", "查看操作日志"),
    Permission.SYSTEM_TEMPORAL_UI: ("系统", "进入 Temporal UI（可直接操作流程）"),
}


def operator_may(session: Session, operator: Operator, code: Permission) -> bool:
    """Whether the operator's role grants `code`: super_admin holds every code (so a role edit never locks the
    console out), any other role the codes its row lists. A disabled operator may do nothing."""
    if not operator.is_active:
        return False
    role = session.get(Role, operator.role_id)
    return role is not None and (role.code == "super_admin" or code.value in role.permissions)
