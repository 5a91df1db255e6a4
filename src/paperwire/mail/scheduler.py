"""``paperwire serve --scheduler``: ingest and send on a timer, inside the server process.

For a single machine without cron. A background thread runs one round at start and then
every ``scheduler_interval`` seconds: the configured ingest (``scheduler_ingest``, the
arguments of ``paperwire ingest``, run as a child process so a crashing source cannot
take the server down), then ``send_due``. Cron running ``paperwire digest send`` as well
is harmless: the sender lock lets one of them send and the other step aside.
"""

import logging
import os
import shlex
import subprocess
import sys
import threading
from collections.abc import Callable

from sqlalchemy import Engine

from paperwire.config import Settings
from paperwire.mail.outbox import SendReport, send_due
from paperwire.store.db import open_database

log = logging.getLogger("paperwire.scheduler")


class Scheduler:
    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        on_report: Callable[[SendReport], None] | None = None,
    ) -> None:
        self.settings = settings
        self._engine = engine
        self._on_report = on_report
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="paperwire-scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        self._thread.join(timeout)

    def run_once(self) -> SendReport:
        """One round: the configured ingest, then whatever mail is due."""
        if self.settings.scheduler_ingest:
            self._ingest(self.settings.scheduler_ingest)
        if self._engine is None:
            self._engine = open_database(self.settings.database_url)
        report = send_due(self._engine, self.settings)
        if self._on_report is not None:
            self._on_report(report)
        return report

    def _ingest(self, arguments: str) -> None:
        command = [sys.executable, "-m", "paperwire", "ingest", *shlex.split(arguments)]
        env = {**os.environ, "PAPERWIRE_DATABASE_URL": self.settings.database_url}
        finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            log.warning("scheduled ingest failed (%s): %s", finished.returncode, finished.stderr)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_once()
            except Exception:  # a bad round must not end the schedule
                log.exception("scheduled round failed")
            self._stopping.wait(self.settings.scheduler_interval)
