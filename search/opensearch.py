"""OpenSearch backend (production). Writes go through an alias; `reindex_all` builds a fresh index,
bulk-loads it and swaps the alias atomically, so readers never see a half-built index.

Verified only by unit tests of the mapping/query JSON (tests/search/test_opensearch_unit.py) and by
the shared conformance suite when OPENSEARCH_URL is set — no server runs on the build machines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from search.base import ArtistDoc, SearchHit, SearchQuery, SearchResult

DEFAULT_ALIAS = "artists"
TEXT_FIELDS = {"stage_name": 4.0, "styles": 2.0, "keywords": 2.0, "works": 1.5, "bio": 1.0, "city": 1.0,
               "regions": 1.0}


def index_body(*, smartcn: bool, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """Settings and mapping. smartcn segments Chinese like jieba; without the plugin, 1-2 character
    n-grams match any substring of two characters (noisier ranking, same recall)."""
    if smartcn:
        analysis: dict[str, Any] = {
            "analyzer": {
                "zh": {"type": "custom", "tokenizer": "smartcn_tokenizer", "filter": ["lowercase"]},
                "zh_search": {"type": "custom", "tokenizer": "smartcn_tokenizer", "filter": ["lowercase"]},
            },
        }
    else:
        analysis = {
            "tokenizer": {"zh_ngram": {"type": "ngram", "min_gram": 1, "max_gram": 2,
                                       "token_chars": ["letter", "digit"]}},
            "analyzer": {
                "zh": {"type": "custom", "tokenizer": "zh_ngram", "filter": ["lowercase"]},
                "zh_search": {"type": "custom", "tokenizer": "zh_ngram", "filter": ["lowercase"]},
            },
        }
    zh_text = {"type": "text", "analyzer": "zh", "search_analyzer": "zh_search"}
    return {
        "settings": {"number_of_shards": shards, "number_of_replicas": replicas, "max_ngram_diff": 1,
                     "analysis": analysis},
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "artist_id": {"type": "long"},
                "stage_name": {**zh_text, "fields": {"raw": {"type": "keyword"}}},
                "artist_types": {"type": "keyword"},
                "styles": {**zh_text, "fields": {"raw": {"type": "keyword"}}},
                "city": {"type": "keyword", "fields": {"text": zh_text}},
                "regions": {"type": "keyword", "fields": {"text": zh_text}},
                # Home city and regions together: the cities facet counts an artist in every city they perform.
                "served_cities": {"type": "keyword"},
                "keywords": zh_text,
                "bio": zh_text,
                "works": zh_text,
                "price_min": {"type": "long"},
                "price_max": {"type": "long"},
                "rating": {"type": "float"},
                "review_count": {"type": "integer"},
                "popularity": {"type": "integer"},
                "verified": {"type": "boolean"},
                "tags": {"type": "keyword"},
                "created_at": {"type": "date"},
                "unavailable_dates": {"type": "date", "format": "yyyy-MM-dd"},
            },
        },
    }


def doc_body(doc: ArtistDoc) -> dict[str, Any]:
    return {
        "artist_id": doc.artist_id, "stage_name": doc.stage_name, "artist_types": list(doc.artist_types),
        "styles": list(doc.styles), "city": doc.city, "regions": list(doc.regions), "bio": doc.bio,
        "served_cities": list(dict.fromkeys((doc.city, *doc.regions))), "keywords": list(doc.keywords),
        "works": list(doc.works), "price_min": doc.price_min, "price_max": doc.price_max,
        "rating": doc.rating, "review_count": doc.review_count, "popularity": doc.popularity,
        "verified": doc.verified, "tags": list(doc.tags), "created_at": doc.created_at.isoformat(),
        "unavailable_dates": [d.isoformat() for d in doc.unavailable_dates],
    }


def build_query(q: SearchQuery) -> dict[str, Any]:
    """The request body for `SearchQuery` — same semantics as the PostgreSQL backend."""
    filters: list[dict[str, Any]] = []
    must: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    keyword = (q.keyword or "").strip()
    if keyword:
        must.append({"bool": {"should": [
            {"multi_match": {"query": keyword, "operator": "and", "type": "cross_fields",
                             "fields": [("city.text" if f == "city" else "regions.text" if f == "regions" else f)
                                        + f"^{boost}" for f, boost in TEXT_FIELDS.items()]}},
            {"wildcard": {"stage_name.raw": {"value": f"*{_escape_wildcard(keyword)}*",
                                             "case_insensitive": True, "boost": 4.0}}},
        ], "minimum_should_match": 1}})
    if q.artist_types:
        filters.append({"terms": {"artist_types": list(q.artist_types)}})
    if q.cities:
        filters.append({"bool": {"should": [{"terms": {"city": list(q.cities)}},
                                            {"terms": {"regions": list(q.cities)}}],
                                 "minimum_should_match": 1}})
    if q.price_min is not None:
        filters.append({"range": {"price_max": {"gte": q.price_min}}})
    if q.price_max is not None:
        filters.append({"range": {"price_min": {"lte": q.price_max}}})
    if q.min_rating is not None:
        filters.append({"range": {"rating": {"gte": q.min_rating}}})
    if q.tags:
        filters.append({"terms": {"tags": list(q.tags)}})
    if q.verified_only:
        filters.append({"term": {"verified": True}})
    if q.available_on is not None:
        # Documents carry the Shanghai dates their calendar blocks (domain.artists.search_documents), like
        # PostgreSQL's check.
        must_not.append({"term": {"unavailable_dates": q.available_on.isoformat()}})
    sort_key = q.effective_sort
    sorts: dict[str, list[Any]] = {
        "relevance": ["_score", {"popularity": "desc"}],
        "popularity": [{"popularity": "desc"}],
        "rating": [{"rating": {"order": "desc", "missing": "_last"}}, {"review_count": "desc"}],
        "price_asc": [{"price_min": {"order": "asc", "missing": "_last"}}],
        "price_desc": [{"price_max": {"order": "desc", "missing": "_last"}}],
        "newest": [{"created_at": "desc"}],
    }
    sort = sorts[sort_key] + [{"artist_id": "desc"}]
    return {
        "query": {"bool": {"must": must or [{"match_all": {}}], "filter": filters, "must_not": must_not}},
        "sort": sort,
        "from": q.offset,
        "size": q.page_size,
        "track_total_hits": True,
        "track_scores": True,
        "_source": False,
        "aggs": {"artist_types": {"terms": {"field": "artist_types", "size": 50}},
                 "cities": {"terms": {"field": "served_cities", "size": 200}}},
    }


def _escape_wildcard(s: str) -> str:
    return s.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def parse_response(resp: dict[str, Any]) -> SearchResult:
    hits = [SearchHit(artist_id=int(h["_id"]), score=float(h.get("_score") or 0.0)) for h in resp["hits"]["hits"]]
    aggs = resp.get("aggregations", {})
    facets = {name: {b["key"]: b["doc_count"] for b in aggs.get(name, {}).get("buckets", [])}
              for name in ("artist_types", "cities")}
    return SearchResult(items=hits, total=int(resp["hits"]["total"]["value"]), facets=facets)


class OpenSearchArtistSearch:
    def __init__(self, client: Any, alias: str = DEFAULT_ALIAS, *, refresh: bool | str = False) -> None:
        self.client = client
        self.alias = alias
        self.refresh = refresh  # tests pass "wait_for" so a write is visible to the next search

    @classmethod
    def from_url(cls, url: str, alias: str = DEFAULT_ALIAS, **kw: Any) -> OpenSearchArtistSearch:
        from opensearchpy import OpenSearch

        return cls(OpenSearch(hosts=[url], timeout=10), alias, **kw)

    def has_smartcn(self) -> bool:
        plugins = self.client.cat.plugins(format="json")
        return any(p.get("component") == "analysis-smartcn" for p in plugins)

    def _new_index_name(self) -> str:
        from domain.time import utc_now

        return f"{self.alias}-{utc_now().strftime('%Y%m%d%H%M%S%f')}"

    def ensure_index(self) -> None:
        if not self.client.indices.exists_alias(name=self.alias):
            name = self._new_index_name()
            self.client.indices.create(index=name, body=index_body(smartcn=self.has_smartcn()))
            self.client.indices.put_alias(index=name, name=self.alias)

    def index(self, doc: ArtistDoc) -> None:
        self.ensure_index()
        self.client.index(index=self.alias, id=str(doc.artist_id), body=doc_body(doc), refresh=self.refresh)

    def remove(self, artist_id: int) -> None:
        self.ensure_index()
        self.client.delete(index=self.alias, id=str(artist_id), refresh=self.refresh, ignore=[404])

    def search(self, q: SearchQuery) -> SearchResult:
        self.ensure_index()
        return parse_response(self.client.search(index=self.alias, body=build_query(q)))

    def reindex_all(self, docs: Iterable[ArtistDoc]) -> int:
        from opensearchpy import helpers

        new = self._new_index_name()
        self.client.indices.create(index=new, body=index_body(smartcn=self.has_smartcn()))
        count = 0

        def actions() -> Iterator[dict[str, Any]]:
            nonlocal count
            for doc in docs:
                count += 1
                yield {"_index": new, "_id": str(doc.artist_id), "_source": doc_body(doc)}

        helpers.bulk(self.client, actions(), chunk_size=1000)
        self.client.indices.refresh(index=new)
        old = list(self.client.indices.get_alias(name=self.alias).keys()) \
            if self.client.indices.exists_alias(name=self.alias) else []
        self.client.indices.update_aliases(body={"actions": [
            *({"remove": {"index": o, "alias": self.alias}} for o in old),
            {"add": {"index": new, "alias": self.alias}},
        ]})
        for o in old:
            self.client.indices.delete(index=o, ignore=[404])
        return count

    def drop(self) -> None:
        """Delete the alias's indices (tests)."""
        if self.client.indices.exists_alias(name=self.alias):
            for name in self.client.indices.get_alias(name=self.alias):
                self.client.indices.delete(index=name, ignore=[404])
