"""The real app behind uvicorn on a loopback port, in a thread of the test process."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from sqlalchemy import Engine

from paperwire.config import Settings
from paperwire.web.app import create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    settings: Settings
    engine: Engine


@contextmanager
def running_server(
    engine: Engine, database_url: str, *, settings: Settings | None = None, **overrides: Any
) -> Iterator[LiveServer]:
    """Serve ``create_app`` on a free port, its response cache off unless asked for.

    ``settings`` replaces the defaults whole (e.g. to point mail at a test relay);
    ``overrides`` are Settings fields on top of the defaults.
    """
    port = free_port()
    settings = settings or Settings(
        **{"database_url": database_url, "cache_seconds": 0, **overrides}
    )
    app = create_app(settings, engine)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", settings, engine)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
