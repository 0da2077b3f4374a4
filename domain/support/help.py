"""帮助中心: FAQ articles by category, read by everyone (published only) and edited by operators.

Search is the artist search's way of reading Chinese: jieba's search-mode words of the title and body are kept
in `help_articles.tokens` (tsvector 'simple', GIN), and a query's precise-mode words must all be there. A query
jieba cannot split into words (an odd fragment) still finds articles containing it as a substring."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from domain.errors import NotFound
from domain.inputs import Input, Text
from domain.models import HelpArticle
from domain.pages import Page
from domain.time import utc_now
from search.tokenize import index_tokens, query_tokens

# The categories, in the order the help page lists them. A fixed list: the mini-program shows an icon for each.
CATEGORIES: dict[str, str] = {
    "booking": "预约下单",
    "payment": "支付与退款",
    "contract": "合同与签约",
    "artist": "艺人入驻",
    "account": "账号与安全",
}
Category = Annotated[str, Field(pattern="^(" + "|".join(CATEGORIES) + ")$", description="、".join(
    f"{k} {v}" for k, v in CATEGORIES.items()))]


class ArticleNotFound(NotFound):
    code, message = "help_article_not_found", "帮助文章不存在或已下线"


class CategoryOut(BaseModel):
    code: str
    label: str
    article_count: int  # published articles


class ArticleSummary(BaseModel):
    id: int
    category: str
    category_label: str
    title: str
    excerpt: str  # the body's first line, shortened


class ArticleOut(ArticleSummary):
    body: str
    updated_at: datetime


class AdminArticleOut(ArticleOut):
    sort_order: int
    published: bool
    created_at: datetime


class ArticleIn(Input):
    category: Category
    title: Annotated[str, Text(80, min_length=1)]
    body: Annotated[str, Text(5000, min_length=1, multiline=True)]
    sort_order: Annotated[int, Field(ge=0, le=9999)] = 0
    published: bool = True


def _excerpt(body: str) -> str:
    first = body.strip().split("\n", 1)[0]
    return first if len(first) <= 60 else first[:59] + "…"


def _summary(a: HelpArticle) -> ArticleSummary:
    return ArticleSummary(id=a.id, category=a.category, category_label=CATEGORIES.get(a.category, a.category),
                          title=a.title, excerpt=_excerpt(a.body))


def _full(a: HelpArticle) -> ArticleOut:
    return ArticleOut(**_summary(a).model_dump(), body=a.body, updated_at=a.updated_at)


def _admin(a: HelpArticle) -> AdminArticleOut:
    return AdminArticleOut(**_full(a).model_dump(), sort_order=a.sort_order, published=a.published,
                           created_at=a.created_at)


def _matches(q: str) -> ColumnElement[bool]:
    """Every word of the query among the article's tokens, or the query itself inside the title or body."""
    words = query_tokens(q)
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    substring = or_(HelpArticle.title.ilike(f"%{escaped}%"), HelpArticle.body.ilike(f"%{escaped}%"))
    if not words:
        return substring
    tokens = and_(*(HelpArticle.tsv.op("@@")(func.plainto_tsquery("simple", w)) for w in words))
    return or_(tokens, substring)


def _order() -> tuple[ColumnElement, ...]:
    return (HelpArticle.sort_order, HelpArticle.id)  # type: ignore[return-value]


# --- public


def categories(session: Session) -> list[CategoryOut]:
    counts = dict(session.execute(select(HelpArticle.category, func.count()).where(HelpArticle.published)
                                  .group_by(HelpArticle.category)).all())
    return [CategoryOut(code=c, label=label, article_count=int(counts.get(c, 0))) for c, label in CATEGORIES.items()]


def public_articles(session: Session, category: str | None, q: str | None) -> list[ArticleSummary]:
    where: list[ColumnElement[bool]] = [HelpArticle.published.is_(True)]
    if category:
        where.append(HelpArticle.category == category)
    if q:
        where.append(_matches(q))
    rows = session.scalars(select(HelpArticle).where(*where).order_by(*_order()).limit(100))
    return [_summary(a) for a in rows]


def public_article(session: Session, article_id: int) -> ArticleOut:
    a = session.get(HelpArticle, article_id)
    if a is None or not a.published:
        raise ArticleNotFound()
    return _full(a)


# --- operators


def admin_articles(session: Session, category: str | None, q: str | None, page: int,
                   page_size: int) -> Page[AdminArticleOut]:
    where: list[ColumnElement[bool]] = []
    if category:
        where.append(HelpArticle.category == category)
    if q:
        where.append(_matches(q))
    total = session.scalar(select(func.count()).select_from(HelpArticle).where(*where)) or 0
    in_menu_order = case({c: i for i, c in enumerate(CATEGORIES)}, value=HelpArticle.category, else_=len(CATEGORIES))
    rows = session.scalars(select(HelpArticle).where(*where).order_by(in_menu_order, *_order())
                           .offset((page - 1) * page_size).limit(page_size))
    return Page(items=[_admin(a) for a in rows], total=total, page=page, page_size=page_size)


def _get(session: Session, article_id: int) -> HelpArticle:
    a = session.get(HelpArticle, article_id, with_for_update=True)
    if a is None:
        raise ArticleNotFound("帮助文章不存在")
    return a


def _apply(a: HelpArticle, data: ArticleIn) -> None:
    a.category, a.title, a.body = data.category, data.title, data.body
    a.sort_order, a.published = data.sort_order, data.published
    a.tokens = index_tokens(data.title, data.body)
    a.updated_at = utc_now()


def create_article(session: Session, data: ArticleIn) -> AdminArticleOut:
    a = HelpArticle()
    _apply(a, data)
    session.add(a)
    session.flush()
    session.refresh(a)
    return _admin(a)


def update_article(session: Session, article_id: int, data: ArticleIn) -> AdminArticleOut:
    a = _get(session, article_id)
    _apply(a, data)
    session.flush()
    return _admin(a)


def delete_article(session: Session, article_id: int) -> None:
    session.delete(_get(session, article_id))
    session.flush()


# --- demo articles for `make run` (domain.seed)

SEED_ARTICLES: list[tuple[str, str, str]] = [
    ("booking", "如何预约一位艺人？",
     "在首页或找艺人页面按城市、类型、档期筛选，进入艺人主页后点击「立即预约」，填写演出时间、地点、时长和预算提交询价。\n"
     "艺人会在约定时间内确认档期并报价；确认后系统会为您锁定档期，请在有效期内完成合同签署。"),
    ("booking", "艺人多久会回复我的询价？",
     "艺人通常会在 24 小时内确认或婉拒。超过平台规定的时间未回复，询价会自动失效，您不会被收取任何"
     "费用，可以改约其他艺人。"),
    ("booking", "演出时间或地点有变化怎么办？",
     "签约前可以直接在订单里与艺人沟通后重新询价；签约后如需改期，请联系艺人协商，双方同意后由客服协助"
     "调整合同和档期。"),
    ("payment", "定金和尾款怎么支付？",
     "合同签署后需在截止时间前支付定金（一般为演出费的 30%），尾款在演出前约定天数内支付。支持微信"
     "支付和支付宝，款项由平台托管，演出完成后再结算给艺人。"),
    ("payment", "取消订单后如何退款？",
     "退款金额按合同中的取消条款计算：离演出越近，可退比例越低。发起取消后，退款会原路退回，一般 1～"
     "7 个工作日到账；如对退款金额有异议，可以发起纠纷或投诉。"),
    ("payment", "可以开具发票吗？",
     "可以。演出完成后在订单详情里申请发票，填写抬头和税号，平台会在 5 个工作日内开具电子发票。"),
    ("contract", "电子合同有法律效力吗？",
     "平台合同采用电子签名并保存签署证据（签署人、时间、设备信息），符合《电子签名法》的要求，与纸质合"
     "同具有同等效力。合同 PDF 可随时在订单中下载。"),
    ("contract", "合同里的取消条款是什么意思？",
     "取消条款约定了在演出前不同时间取消时可退还的比例，例如提前 30 天以上全额退款、7 天内不退款"
     "。艺人报价时会写明，请在签署前仔细阅读。"),
    ("artist", "如何成为平台艺人？",
     "在「我的」中切换到艺人身份，填写艺名、类型、风格、所在城市和报价，上传演出案例和资质证书后提交审"
     "核。运营人员审核通过后，您的主页就会对需求方展示。"),
    ("artist", "演出费什么时候到账？",
     "演出完成、需求方确认（或 72 小时后自动确认）后，您可以申请结算。平台扣除服务费后打款到您绑定"
     "的收款账户，一般 1～3 个工作日到账。"),
    ("account", "如何完成实名认证？",
     "在「我的 - 实名认证」中填写姓名和身份证号，系统会自动核验。实名认证后才能签署合同和收款，您的"
     "证件信息会加密保存。"),
]


def seed_articles(session: Session) -> int:
    """The demo FAQ, once: nothing is added when any article exists (an operator's edits are kept)."""
    if session.scalar(select(func.count()).select_from(HelpArticle)):
        return 0
    for i, (category, title, body) in enumerate(SEED_ARTICLES):
        a = HelpArticle(sort_order=i)
        _apply(a, ArticleIn(category=category, title=title, body=body, sort_order=i))
        session.add(a)
    session.flush()
    return len(SEED_ARTICLES)
