"""A real HTTP server on loopback that replays recorded answers, for testing HTTP clients.

Tests point production clients at ``server.url`` so the whole stack (httpx, retries,
timeouts, query encoding) runs for real. Answers are looked up by the request's query
parameters, whatever the path. The server can be told to fail or hang on the next
requests, and it records every request it receives.

Example::

    with FixtureServer() as server:
        server.add({"id_list": "1605.08386", "start": "0"}, Reply(body))
        server.fail_next(2)  # two 503 answers before the recorded one
        ...
        assert server.requests[0].params["id_list"] == "1605.08386"
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Reply:
    body: bytes
    status: int = 200
    content_type: str = "application/xml; charset=utf-8"
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering, e.g. to crash a client mid-run


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    received_at: float  # time.monotonic()


@dataclass(frozen=True)
class _Hang:
    seconds: float


def recorded_reply(path: Path) -> Reply:
    """Replay a recording stored as ``{"url", "status_code", "body"}``.

    The recorder stored the body text decoded as ISO-8859-1, so non-ASCII characters
    appear as mojibake (``WÃ¼bben``); encoding it back as ISO-8859-1 gives the exact
    UTF-8 bytes arXiv sent.
    """
    recording = json.loads(path.read_text(encoding="utf-8"))
    return Reply(
        body=recording["body"].encode("latin-1"),
        status=recording["status_code"],
        content_type="application/atom+xml; charset=utf-8",
    )


class FixtureServer:
    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self._routes: dict[frozenset[tuple[str, str]], Reply] = {}
        self._disruptions: deque[Reply | _Hang] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        # A short poll interval makes shutdown (and so each test's teardown) fast.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/api"

    def add(self, params: Mapping[str, str], reply: Reply) -> None:
        """Answer ``reply`` to a request whose query parameters are exactly ``params``."""
        self._routes[frozenset(params.items())] = reply

    def fail_next(
        self, count: int, status: int = 503, headers: Mapping[str, str] | None = None
    ) -> None:
        """Answer the next ``count`` requests with ``status`` instead of their recording."""
        failure = Reply(f"planned failure {status}\n".encode(), status, "text/plain", headers or {})
        self._disruptions.extend([failure] * count)

    def hang_next(self, count: int, seconds: float) -> None:
        """Keep the next ``count`` requests waiting ``seconds`` before answering normally."""
        self._disruptions.extend([_Hang(seconds)] * count)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _answer(self, path: str, params: dict[str, str]) -> Reply:
        with self._lock:
            disruption = self._disruptions.popleft() if self._disruptions else None
        if isinstance(disruption, Reply):
            return disruption
        if isinstance(disruption, _Hang):
            self._stopping.wait(disruption.seconds)
        reply = self._routes.get(frozenset(params.items()))
        if reply is None:
            message = f"no recorded answer for {path} {sorted(params.items())}\n"
            return Reply(message.encode(), 404, "text/plain")
        if reply.delay:
            self._stopping.wait(reply.delay)
        return reply

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                with server._lock:
                    server.requests.append(
                        ReceivedRequest(parts.path, params, dict(self.headers), time.monotonic())
                    )
                reply = server._answer(parts.path, params)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to answer

            def log_message(self, format: str, *args: object) -> None:
                """Keep test output quiet."""

        return Handler
