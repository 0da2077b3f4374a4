"""What a client sees in the artist list: type words find every artist of the type, a city filter says who lives
there and who travels there (and agrees with its facet count), and cards carry a cover, rating and shows done."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.context import AppContext
from domain.artists.search_sync import reindex
from domain.models import MediaCase
from domain.seed import ARTISTS, seed
from tests.factories import completed_booking, user_row
from tests.helpers import V1


async def _seeded(api: httpx.AsyncClient, db: Session, ctx: AppContext) -> list[dict]:
    seed(db, ctx.cipher, ctx.storage)
    db.commit()
    assert reindex(ctx.search, db) == len(ARTISTS)
    return (await api.get(f"{V1}/artists", params={"page_size": 50})).json()["items"]


async def _names(api: httpx.AsyncClient, **params: object) -> set[str]:
    page = (await api.get(f"{V1}/artists", params={"page_size": 50, **params})).json()
    return {a["stage_name"] for a in page["items"]}


async def test_type_words_and_synonyms_find_every_artist_of_the_type(api: httpx.AsyncClient, db: Session,
                                                                     ctx: AppContext):
    await _seeded(api, db, ctx)
    for kind, words in {"singer": ["歌手", "歌星", "唱歌"], "host": ["主持人", "主持", "司仪"],
                        "band": ["乐队", "乐团"], "magician": ["魔术", "魔术师"], "dancer": ["舞者", "舞蹈", "跳舞"],
                        "crosstalk": ["相声", "曲艺"], "acrobat": ["杂技"]}.items():
        of_type = await _names(api, artist_type=kind)
        assert of_type, kind
        for word in words:
            assert await _names(api, q=word) >= of_type, word


async def test_city_filter_labels_travel_and_agrees_with_the_facet(api: httpx.AsyncClient, db: Session,
                                                                   ctx: AppContext):
    await _seeded(api, db, ctx)
    everyone = (await api.get(f"{V1}/artists", params={"page_size": 50})).json()
    page = (await api.get(f"{V1}/artists", params={"city": "上海", "page_size": 50, "sort": "popularity"})).json()
    shanghai = everyone["facets"]["cities"]["上海"]
    assert page["total"] == len(page["items"]) == shanghai == page["facets"]["cities"]["上海"]
    local = [a for a in page["items"] if a["city"] == "上海"]
    travel = [a for a in page["items"] if a["city"] != "上海"]
    assert local and travel  # the seed has artists of both kinds for 上海
    assert {(a["city_match"], a["matched_city"]) for a in local} == {("local", "上海")}
    assert {(a["city_match"], a["matched_city"]) for a in travel} == {("travel", "上海")}
    # Without a city filter there is nothing to match.
    assert {a["city_match"] for a in everyone["items"]} == {None}


async def test_cards_carry_cover_and_completed_shows(api: httpx.AsyncClient, db: Session, ctx: AppContext):
    items = await _seeded(api, db, ctx)
    with_cases = set(db.scalars(select(MediaCase.artist_id).where(MediaCase.moderation_status == "approved")))
    covered = [a for a in items if a["cover_url"]]
    # Only artists with an approved case image have a cover.
    assert {a["id"] for a in covered} == with_cases & {a["id"] for a in items} != set()
    cover = await api.get(covered[0]["cover_url"])
    assert cover.status_code == 200 and cover.headers["content-type"].startswith("image/")
    detail = (await api.get(f"{V1}/artists/{covered[0]['id']}")).json()
    assert detail["cover_url"] and detail["cases"][0]["media"][0]["kind"] == "image"

    artist_id = items[0]["id"]
    client = user_row(db, "13800009901")
    db.commit()
    completed_booking(db, client.id, artist_id)
    completed_booking(db, client.id, artist_id, status="PERFORMED")
    completed_booking(db, client.id, artist_id, status="CANCELLED")
    card = next(a for a in (await api.get(f"{V1}/artists", params={"page_size": 50})).json()["items"]
                if a["id"] == artist_id)
    assert card["completed_shows"] == 2
