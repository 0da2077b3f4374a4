"""One list envelope for every paginated route: {items, total, page, page_size}."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """`Page[BookingOut]` is named `Page_BookingOut_` in /openapi.json and the generated client types."""

    items: list[T]
    total: int
    page: int
    page_size: int
