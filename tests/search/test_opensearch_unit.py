"""OpenSearch mapping and query JSON, and the alias swap of a reindex — no server needed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from search.base import ArtistDoc, SearchQuery
from search.opensearch import OpenSearchArtistSearch, build_query, doc_body, index_body, parse_response

DOC = ArtistDoc(artist_id=7, stage_name="陈默", artist_types=("singer",), styles=("民谣",), city="成都",
                regions=("重庆",), bio="民谣歌手", works=("《城南》",), price_min=300_000, price_max=800_000,
                rating=4.2, review_count=5, popularity=80, verified=True, tags=("本地艺人",),
                created_at=datetime(2026, 1, 1, tzinfo=UTC), unavailable_dates=(date(2026, 12, 1),))


def test_mapping_uses_smartcn_when_installed_else_ngrams() -> None:
    smart = index_body(smartcn=True)
    assert smart["settings"]["analysis"]["analyzer"]["zh"]["tokenizer"] == "smartcn_tokenizer"
    fallback = index_body(smartcn=False)
    assert fallback["settings"]["analysis"]["tokenizer"]["zh_ngram"] == {
        "type": "ngram", "min_gram": 1, "max_gram": 2, "token_chars": ["letter", "digit"]}
    props = fallback["mappings"]["properties"]
    for field in ("stage_name", "styles", "bio", "works"):
        assert props[field]["analyzer"] == "zh"
    assert props["artist_types"]["type"] == props["city"]["type"] == props["tags"]["type"] == "keyword"
    assert props["price_min"]["type"] == "long"  # fen, never floats
    assert fallback["mappings"]["dynamic"] == "strict"
    # Every field of a document is mapped (dynamic: strict would reject the document otherwise).
    assert set(doc_body(DOC)) == set(props)


def test_full_query_json() -> None:
    body = build_query(SearchQuery(keyword="爵士", artist_types=("band",), cities=("上海",), price_min=100,
                                   price_max=900, min_rating=4.0, tags=("热门艺人",), verified_only=True,
                                   available_on=date(2026, 12, 1), sort="price_asc", page=3, page_size=10))
    q = body["query"]["bool"]
    should = q["must"][0]["bool"]["should"]
    assert should[0]["multi_match"]["query"] == "爵士" and should[0]["multi_match"]["operator"] == "and"
    assert should[1] == {"wildcard": {"stage_name.raw": {"value": "*爵士*", "case_insensitive": True, "boost": 4.0}}}
    assert {"terms": {"artist_types": ["band"]}} in q["filter"]
    assert {"range": {"price_max": {"gte": 100}}} in q["filter"]
    assert {"range": {"price_min": {"lte": 900}}} in q["filter"]
    assert {"range": {"rating": {"gte": 4.0}}} in q["filter"]
    assert {"term": {"verified": True}} in q["filter"]
    assert {"terms": {"tags": ["热门艺人"]}} in q["filter"]
    assert q["must_not"] == [{"term": {"unavailable_dates": "2026-12-01"}}]
    assert body["sort"] == [{"price_min": {"order": "asc", "missing": "_last"}}, {"artist_id": "desc"}]
    assert (body["from"], body["size"]) == (20, 10)
    assert set(body["aggs"]) == {"artist_types", "cities"}
    # The cities facet counts home and travelled-to cities, as the city filter matches both.
    assert body["aggs"]["cities"] == {"terms": {"field": "served_cities", "size": 200}}
    assert "keywords^2.0" in should[0]["multi_match"]["fields"]


def test_documents_carry_served_cities_and_type_keywords() -> None:
    body = doc_body(replace(DOC, keywords=("歌手", "歌星")))
    assert body["served_cities"] == ["成都", "重庆"]
    assert body["keywords"] == ["歌手", "歌星"]


@pytest.mark.parametrize(("query", "first"), [
    (SearchQuery(), {"popularity": "desc"}),
    (SearchQuery(keyword="陈默"), "_score"),
    (SearchQuery(sort="newest"), {"created_at": "desc"}),
])
def test_default_sorts(query: SearchQuery, first: Any) -> None:
    assert build_query(query)["sort"][0] == first


def test_wildcards_in_keywords_are_escaped() -> None:
    should = build_query(SearchQuery(keyword="a*b?"))["query"]["bool"]["must"][0]["bool"]["should"]
    assert should[1]["wildcard"]["stage_name.raw"]["value"] == "*a\\*b\\?*"


def test_parse_response() -> None:
    result = parse_response({"hits": {"total": {"value": 12}, "hits": [{"_id": "7", "_score": 1.5}]},
                             "aggregations": {"artist_types": {"buckets": [{"key": "singer", "doc_count": 12}]},
                                              "cities": {"buckets": [{"key": "成都", "doc_count": 12}]}}})
    assert result.total == 12 and result.ids == [7] and result.items[0].score == 1.5
    assert result.facets == {"artist_types": {"singer": 12}, "cities": {"成都": 12}}


class _Indices:
    def __init__(self, log: list[Any]) -> None:
        self.log = log
        self.aliases = {"artists": ["artists-old"]}

    def create(self, index: str, body: dict[str, Any]) -> None:
        self.log.append(("create", index, body["settings"]["analysis"]["analyzer"]["zh"]["tokenizer"]))

    def refresh(self, index: str) -> None:
        self.log.append(("refresh", index))

    def exists_alias(self, name: str) -> bool:
        return name in self.aliases

    def get_alias(self, name: str) -> dict[str, Any]:
        return {i: {} for i in self.aliases[name]}

    def update_aliases(self, body: dict[str, Any]) -> None:
        self.log.append(("update_aliases", body["actions"]))

    def delete(self, index: str, ignore: list[int]) -> None:
        self.log.append(("delete", index))


class _Cat:
    def plugins(self, format: str) -> list[dict[str, str]]:
        return [{"component": "analysis-smartcn"}]


class _Client:
    def __init__(self) -> None:
        self.log: list[Any] = []
        self.indices = _Indices(self.log)
        self.cat = _Cat()


def test_reindex_builds_a_new_index_then_swaps_the_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    from opensearchpy import helpers

    client = _Client()
    bulked: list[dict[str, Any]] = []
    monkeypatch.setattr(helpers, "bulk", lambda _c, actions, **_kw: bulked.extend(actions))
    assert OpenSearchArtistSearch(client).reindex_all([DOC]) == 1
    kinds = [entry[0] for entry in client.log]
    assert kinds == ["create", "refresh", "update_aliases", "delete"]
    new = client.log[0][1]
    assert new.startswith("artists-") and new != "artists-old" and client.log[0][2] == "smartcn_tokenizer"
    assert bulked == [{"_index": new, "_id": "7", "_source": doc_body(DOC)}]
    # One atomic alias update: readers switch from the old index to the complete new one.
    assert client.log[2][1] == [{"remove": {"index": "artists-old", "alias": "artists"}},
                                {"add": {"index": new, "alias": "artists"}}]
    assert client.log[3] == ("delete", "artists-old")
