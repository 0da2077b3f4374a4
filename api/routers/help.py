"""帮助中心: FAQ articles by category (public) and their management in the console."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.deps import Db, Page, PageSize, PathId, require_permission
from domain.accounts.permissions import Permission
from domain.inputs import Text
from domain.models import Operator
from domain.pages import Page as PageOf
from domain.support import help
from domain.support.help import AdminArticleOut, ArticleIn, ArticleOut, ArticleSummary, Category, CategoryOut

router = APIRouter(tags=["help"])
HelpOp = Annotated[Operator, Depends(require_permission(Permission.CONTENT_HELP))]
Keyword = Annotated[Annotated[str, Text(50)] | None, Query(description="关键词（中文分词检索标题与正文）")]


@router.get("/help/categories", response_model=list[CategoryOut], summary="帮助中心分类（公开）")
def categories(db: Db) -> list[CategoryOut]:
    return help.categories(db)


@router.get("/help/articles", response_model=list[ArticleSummary], summary="帮助文章列表与搜索（公开）")
def articles(db: Db, category: Category | None = None, q: Keyword = None) -> list[ArticleSummary]:
    return help.public_articles(db, category, q or None)


@router.get("/help/articles/{article_id}", response_model=ArticleOut, summary="帮助文章详情（公开）")
def article(article_id: PathId, db: Db) -> ArticleOut:
    return help.public_article(db, article_id)


@router.get("/admin/help/articles", response_model=PageOf[AdminArticleOut], summary="帮助文章管理列表",
            tags=["admin"])
def admin_articles(op: HelpOp, db: Db, category: Category | None = None, q: Keyword = None, page: Page = 1,
                   page_size: PageSize = 50) -> PageOf[AdminArticleOut]:
    return help.admin_articles(db, category, q or None, page, page_size)


@router.post("/admin/help/articles", response_model=AdminArticleOut, status_code=201, summary="新建帮助文章",
             tags=["admin"])
def create_article(body: ArticleIn, op: HelpOp, db: Db) -> AdminArticleOut:
    return help.create_article(db, body)


@router.put("/admin/help/articles/{article_id}", response_model=AdminArticleOut, summary="修改帮助文章",
            tags=["admin"])
def update_article(article_id: PathId, body: ArticleIn, op: HelpOp, db: Db) -> AdminArticleOut:
    return help.update_article(db, article_id, body)


@router.delete("/admin/help/articles/{article_id}", status_code=204, response_class=Response,
               summary="删除帮助文章", tags=["admin"])
def delete_article(article_id: PathId, op: HelpOp, db: Db) -> Response:
    help.delete_article(db, article_id)
    return Response(status_code=204)
