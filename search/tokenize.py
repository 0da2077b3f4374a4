"""Chinese segmentation (jieba) shared by indexing and querying, with the platform's own words."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

import jieba

from domain.enums import ARTIST_TYPE_LABELS

# Words jieba's general dictionary splits or doesn't know; without them 年会 or 脱口秀 wouldn't match.
DOMAIN_WORDS = [
    "年会", "商演", "婚礼", "婚庆", "相声", "脱口秀", "爵士", "爵士舞", "民谣", "livehouse", "四重奏", "快闪",
    "暖场", "开场舞", "驻唱", "街舞", "魔术", "魔术师", "近景魔术", "杂技", "变脸", "川剧变脸", "沙画", "古筝",
    "主持人", "婚礼主持", "年会主持", "音乐节", "乐队", "乐团", "后摇", "蓝调", "国风", "中国风", "小品",
    "单口相声", "对口相声", "贯口", "拉丁舞", "古典舞", "韩舞", "红歌", "美声", "合唱团", "发布会", "酒会",
    "晚宴", "颁奖典礼", "庆典", "亲子", "双语", "英文歌", "原创", "翻唱", "钢琴", "小提琴", "空中绸吊",
    # Synonyms of the artist types (domain.artists.search_documents.TYPE_SYNONYMS), kept whole.
    "歌星", "唱歌", "演唱", "歌唱", "舞蹈", "跳舞", "舞蹈演员", "主持", "司仪", "曲艺", "杂技演员",
    *ARTIST_TYPE_LABELS.values(),
]

_WORDISH = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)
            t = jieba.Tokenizer()
            for word in DOMAIN_WORDS:
                t.add_word(word, freq=200_000)
            t.initialize()
            _tokenizer = t
        return _tokenizer


def _clean(tokens: Iterable[str]) -> list[str]:
    return [t.lower() for t in (t.strip() for t in tokens) if t and _WORDISH.search(t)]


def index_tokens(*texts: str) -> str:
    """Search-mode tokens (whole words and their sub-words), space-separated, for the tokens column."""
    t = tokenizer()
    out: list[str] = []
    for text in texts:
        if text:
            out.extend(_clean(t.cut_for_search(text)))
    return " ".join(out)


def query_tokens(keyword: str) -> list[str]:
    """Precise-mode tokens of a query: each one is also produced by `index_tokens` for the same word."""
    return _clean(tokenizer().cut(keyword))
