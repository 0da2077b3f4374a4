"""Versioned contract templates. A template is Chinese text with `${name}` placeholders (string.Template) over
the terms of domain.contracts.terms; a change is always a new version, so a booking keeps the text it was sent."""

from __future__ import annotations

import string

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.contracts.errors import TemplateInvalid, TemplateNotFound
from domain.contracts.terms import PLACEHOLDERS
from domain.db import xact_lock
from domain.models import ContractTemplate

DEFAULT_TITLE = "演出服务合同"
DEFAULT_BODY = """\
合同编号：${contract_no}

甲方（需求方）：${client_name}
证件号码：${client_id_number}
乙方（艺人）：${artist_name}（艺名：${artist_stage_name}）
证件号码：${artist_id_number}
平台方：${platform_name}

第一条 演出内容
1. 演出日期：${performance_date}；演出时间：${performance_time}（北京时间）。
2. 演出地点：${city}${venue}。
3. 演出类型及节目：${programme}。
4. 技术及其他需求：${rider}。

第二条 费用及支付
1. 演出费用总额：人民币${fee}元（大写：${fee_upper}）。
2. 定金：人民币${deposit}元，甲方应在双方签署本合同后按平台提示支付至平台托管账户。
3. 尾款：人民币${balance}元，甲方应于${balance_due}前支付。
4. 全部款项由平台托管，演出完成并经结算后，平台扣除服务费后支付给乙方。

第三条 甲方取消
甲方取消演出的，按取消时距演出开始的天数退还已付定金：
${cancellation_tiers}
已支付的尾款全额退还。

第四条 乙方违约
1. 乙方取消演出或未按约定到场演出（爽约）的，甲方已支付的全部款项全额退还，并由平台记录乙方违约。
2. 乙方迟到或擅自缩短演出时长的，甲方可在演出结束后申请纠纷处理，由平台依据双方提交的凭证裁定部分退款。

第五条 争议解决
演出结束后，任何一方可在平台发起纠纷，纠纷期间款项冻结；平台运营方依据双方提交的凭证作出处理。对处理结果不服的，任何一方可向甲方所在地有管辖权的人民法院提起诉讼。

第六条 平台角色
平台为甲乙双方提供信息撮合、资金托管及电子合同签署服务，不是本合同的演出方或需求方。
本合同以电子形式订立，双方以短信验证码确认签署意愿并手写签名；签署完成后由平台加盖电子签章，签章后对文件的任何修改均可被检测。

第七条 其他
本合同自双方签署之日起生效。${note}
"""


def _check(body: str) -> None:
    try:
        names = {m.group("named") or m.group("braced") for m in string.Template.pattern.finditer(body)
                 if m.group("invalid") is None} - {None}
        bad = [m for m in string.Template.pattern.finditer(body) if m.group("invalid") is not None]
    except (ValueError, TypeError) as exc:
        raise TemplateInvalid() from exc
    if bad:
        raise TemplateInvalid("模板中有无效的占位符（$ 后须为字段名，写 $$ 表示 $ 本身）")
    unknown = sorted(n for n in names if n not in PLACEHOLDERS)
    if unknown:
        raise TemplateInvalid(f"模板中有未知字段：{'、'.join(unknown)}", detail={"unknown": unknown})


def render(body: str, terms: dict[str, str]) -> str:
    return string.Template(body).safe_substitute(terms)


def latest(session: Session) -> ContractTemplate:
    """The newest version; the built-in default is created (once, under a lock) when there is none."""
    row = session.scalar(select(ContractTemplate).order_by(ContractTemplate.version.desc()).limit(1))
    if row is not None:
        return row
    xact_lock(session, "contract_templates")
    row = session.scalar(select(ContractTemplate).order_by(ContractTemplate.version.desc()).limit(1))
    if row is None:
        row = ContractTemplate(version=1, title=DEFAULT_TITLE, body=DEFAULT_BODY, note="平台默认模板")
        session.add(row)
        session.flush()
    return row


def create_version(session: Session, operator_id: int, title: str, body: str, note: str) -> ContractTemplate:
    _check(body)
    latest(session)  # the default is version 1, so an operator's first version is 2
    xact_lock(session, "contract_templates")
    version = (session.scalar(select(func.max(ContractTemplate.version))) or 0) + 1
    row = ContractTemplate(version=version, title=title, body=body, note=note, created_by=operator_id)
    session.add(row)
    session.flush()
    return row


def list_versions(session: Session) -> list[ContractTemplate]:
    latest(session)
    return list(session.scalars(select(ContractTemplate).order_by(ContractTemplate.version.desc())))


def get(session: Session, template_id: int) -> ContractTemplate:
    row = session.get(ContractTemplate, template_id)
    if row is None:
        raise TemplateNotFound()
    return row
