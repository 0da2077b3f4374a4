"""Security headers on every response; the client apps (/h5/, /admin/) also get a Content-Security-Policy.

No page of ours may be framed (clickjacking a booking or an operator's action): X-Frame-Options for older
browsers, CSP frame-ancestors for the rest. deploy/nginx.conf sends the same values for the static files it
serves itself (tests/test_security_headers.py keeps the two equal).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# What the built H5 client and the console need: their own scripts only (no inline script, no eval); inline
# styles (Vue / Element Plus / uni-app set style attributes); images, uploads and downloads from the object
# storage's public host (another origin under S3; blob: for a picked image before upload); the chat WebSocket.
CLIENT_CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https: http:",
    "media-src 'self' blob: https: http:",
    "font-src 'self' data:",
    "connect-src 'self' blob: https: http: ws: wss:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
CLIENT_PREFIXES = ("/h5", "/admin")


def headers_for(path: str) -> dict[str, str]:
    if any(path == p or path.startswith(p + "/") for p in CLIENT_PREFIXES):
        return {**COMMON, "Content-Security-Policy": CLIENT_CSP}
    return dict(COMMON)  # API JSON, /docs (Swagger UI loads its own scripts: no CSP there), the cashier page


class SecurityHeaders:
    """Adds the headers a response does not set itself (plain ASGI: file and streamed responses too)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        extra = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers_for(scope["path"]).items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
