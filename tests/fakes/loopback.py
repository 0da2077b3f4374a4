"""A small base for protocol fakes: a ThreadingHTTPServer on 127.0.0.1:0 in a thread, as a context manager,
recording every request it receives (raw, so tests can replay or tamper with one)."""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # with the query string, as sent
    headers: list[tuple[str, str]]  # in wire order, names as sent
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


class LoopbackServer:
    """Subclasses implement `handle(request) -> Reply`. Use as `with Fake() as fake: fake.url ...`."""

    thread_name = "loopback-fake"

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- what subclasses provide
    def handle(self, request: RecordedRequest) -> Reply:
        raise NotImplementedError

    # --- where the fake listens
    @property
    def port(self) -> int:
        assert self._server is not None, "the fake is not running"
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        """host:port, what an SDK puts in its Host header."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    # --- lifecycle
    def __enter__(self) -> Self:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval and tests start a server each.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- for tests that replay or tamper with a request the SDK sent
    def resend(self, request: RecordedRequest, *, path: str | None = None, body: bytes | None = None,
               headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        sent_headers = dict(request.headers)
        sent_headers.update(headers or {})
        payload = request.body if body is None else body
        sent_headers["Content-Length"] = str(len(payload))
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request(request.method, path or request.path, body=payload, headers=sent_headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


def _handler_for(fake: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._serve()

        def do_POST(self) -> None:  # noqa: N802
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = RecordedRequest(self.command, self.path, list(self.headers.items()), body)
            with fake.lock:
                fake.requests.append(request)
                reply = fake.handle(request)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
            pass

    return Handler
