"""`sync` pages: at most 500 messages per answer, `more` until the client has caught up (in-process app, the
socket through Starlette's test client)."""

from __future__ import annotations

import warnings

import httpx
import pytest
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from api import chat_live
from domain.chat.service import SYNC_BATCH, seed_demo_conversation
from tests.factories import user_id
from tests.helpers import bearer, register_artist, register_client

with warnings.catch_warnings():  # it would rather run on `httpx2`; the socket part is all this test uses
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


async def test_sync_answers_in_pages_of_500(api: httpx.AsyncClient, db: Session) -> None:
    client = await register_client(api, "13800002001")
    artist = await register_artist(api, "13900002001")
    lines = [("artist" if i % 3 else "client", f"第{i}条") for i in range(SYNC_BATCH + 7)]
    seed_demo_conversation(db, await user_id(api, client), await user_id(api, artist), lines)
    db.commit()
    app = api._transport.app  # type: ignore[attr-defined]
    with TestClient(app) as http, http.websocket_connect("/api/v1/chat/ws") as ws:
        ws.send_json({"type": "auth", "token": artist})
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "sync", "after_id": 0})
        first = [ws.receive_json() for _ in range(SYNC_BATCH)]
        assert [f["message"]["text"] for f in first] == [text for _, text in lines[:SYNC_BATCH]]
        synced = ws.receive_json()
        assert synced == {"type": "synced", "last_id": first[-1]["message"]["id"], "more": True}
        ws.send_json({"type": "sync", "after_id": synced["last_id"]})
        rest = [ws.receive_json() for _ in range(7)]
        assert [f["message"]["seq"] for f in rest] == list(range(SYNC_BATCH + 1, SYNC_BATCH + 8))
        assert ws.receive_json() == {"type": "synced", "last_id": rest[-1]["message"]["id"], "more": False}
        ws.send_json({"type": "sync", "after_id": -1})
        assert ws.receive_json()["code"] == "bad_after_id"
        ws.send_text("not json")
        assert ws.receive_json()["code"] == "bad_frame"
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}


async def test_a_socket_closes_when_its_login_ends(api: httpx.AsyncClient, db: Session,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chat_live, "RECHECK_SECONDS", 0.2)
    client = await register_client(api, "13800002002")
    app = api._transport.app  # type: ignore[attr-defined]
    with TestClient(app) as http, http.websocket_connect("/api/v1/chat/ws") as ws:
        ws.send_json({"type": "auth", "token": client})
        assert ws.receive_json()["type"] == "ready"
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
        assert http.post("/api/v1/auth/logout", headers=bearer(client)).status_code == 204
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401
