"""Web benchmark: requests per second of the daily page and the daily-papers API under ``wrk``.

It loads the bundled demo data (or a corpus) into a fresh database, starts
``paperwire serve --no-access-log`` on a free loopback port, and runs ``wrk`` against the
trivial ``/api/health`` endpoint, the daily page ``/``, ``/api/daily_papers`` and
``/api/daily_papers?date=<latest listing day>``, then ``/api/health`` again. The mean of
the two health runs is the baseline: on a shared 2-core machine (``wrk`` and the server
share it) only ratios measured in the same run mean much. By default it does this twice,
with the response cache on (the default ``PAPERWIRE_CACHE_SECONDS``) and off (``0``).

Run from the repository root::

    .venv/bin/python bench/web.py                         # demo data, SQLite, both modes
    .venv/bin/python bench/web.py --duration 5 --no-cache
    .venv/bin/python bench/web.py --backend postgresql --corpus /path/to/papers.jsonl.gz

Results go to ``bench/results/web-<timestamp>.json``; see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from rich import box
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from paperwire.periods import day
from paperwire.store.db import open_database
from paperwire.store.papers import latest_listing_date, list_papers

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
HOST = "127.0.0.1"  # wrk never targets anything else
TARGET_RATIO = 0.5  # the daily page and the API at >= 50% of the trivial endpoint's req/s
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
MODES = {"cached": None, "uncached": "0"}  # PAPERWIRE_CACHE_SECONDS: None = app default

# Piped output (CI logs, tee) would otherwise be cut to 80 columns and wrap the table.
console = Console(width=None if sys.stdout.isatty() else 120)


class BenchError(Exception):
    """A condition that makes the benchmark meaningless; reported without a traceback."""


# ---- wrk ----------------------------------------------------------------------------------


@dataclass
class Endpoint:
    label: str
    path: str
    kind: str  # "baseline", "page" or "api": page and api are checked against the target
    media_type: str  # what a correct answer's Content-Type starts with


@dataclass
class WrkResult:
    label: str
    path: str
    kind: str
    requests: int
    seconds: float
    requests_per_second: float
    transfer_per_second: str
    latency_avg_ms: float
    latency_stdev_ms: float
    latency_max_ms: float
    latency_percentiles_ms: dict[str, float]
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    raw: str = field(repr=False)

    @property
    def failures(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNIT_MS[unit]


def parse_wrk(output: str, endpoint: Endpoint) -> WrkResult:
    """Read wrk 4's report (run with ``--latency``)."""

    def need(pattern: str) -> re.Match[str]:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise BenchError(f"unexpected wrk output (no {pattern!r}):\n{output}")
        return match

    latency = need(rf"^\s+Latency\s+{_DURATION}\s+{_DURATION}\s+{_DURATION}")
    percentiles = {
        f"p{match.group(1)}": _ms(match.group(2), match.group(3))
        for match in re.finditer(rf"^\s+(\d+)%\s+{_DURATION}\s*$", output, re.MULTILINE)
    }
    totals = need(rf"^\s+(\d+) requests in {_DURATION}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        label=endpoint.label,
        path=endpoint.path,
        kind=endpoint.kind,
        requests=int(totals.group(1)),
        seconds=_ms(totals.group(2), totals.group(3)) / 1000,
        requests_per_second=float(need(r"^Requests/sec:\s+([\d.]+)").group(1)),
        transfer_per_second=need(r"^Transfer/sec:\s+(\S+)").group(1),
        latency_avg_ms=_ms(latency.group(1), latency.group(2)),
        latency_stdev_ms=_ms(latency.group(3), latency.group(4)),
        latency_max_ms=_ms(latency.group(5), latency.group(6)),
        latency_percentiles_ms=percentiles,
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=dict(
            zip(
                ("connect", "read", "write", "timeout"),
                (int(value) for value in errors.groups()) if errors else (0, 0, 0, 0),
                strict=True,
            )
        ),
        raw=output,
    )


@dataclass
class Load:
    threads: int
    connections: int
    duration: int


def run_wrk(url: str, load: Load, duration: int | None = None) -> str:
    if urlsplit(url).hostname != HOST:
        raise BenchError(f"refusing to point wrk at {url}: only {HOST} is allowed")
    seconds = duration if duration is not None else load.duration
    command = [
        "wrk",
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{seconds}s",
        "--latency",
        url,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if result.returncode != 0:
        raise BenchError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


# ---- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def paperwire_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "paperwire", *args]


def fetch(url: str, timeout: float = 10.0) -> tuple[int, str, bytes]:
    """One GET: status, Content-Type and body (an HTTP error status is returned, not raised)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(
                f"paperwire serve exited with {server.process.returncode}:\n{server.log_tail()}"
            )
        try:
            status, _, _ = fetch(f"{server.base_url}/api/health", timeout=2.0)
        except OSError:
            status = 0
        if status == 200:
            return
        time.sleep(0.1)
    raise BenchError(f"paperwire serve did not answer within {START_TIMEOUT:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (uvicorn's workers with it): TERM, then KILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def running_server(
    database_url: str, workers: int, cache_seconds: str | None, workdir: Path, tag: str
) -> Iterator[Server]:
    """``paperwire serve`` in its own process group; always stopped when the block ends."""
    env = dict(os.environ, PAPERWIRE_DATABASE_URL=database_url)
    env.pop("PAPERWIRE_CACHE_SECONDS", None)
    if cache_seconds is not None:
        env["PAPERWIRE_CACHE_SECONDS"] = cache_seconds
    log = workdir / f"serve-{tag}.log"
    for attempt in range(1, 4):
        port = free_port()
        command = paperwire_command(
            "serve", "--host", HOST, "--port", str(port), "--workers", str(workers),
            "--no-access-log",
        )  # fmt: skip
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us, and we stop the whole group
            )
        server = Server(process, port, log)
        try:
            try:
                _wait_until_up(server)
            except BenchError:
                if attempt < 3 and "address already in use" in server.log_tail().lower():
                    continue  # someone took the port between choosing and binding it
                raise
            yield server
            return
        finally:
            _stop(process)
    raise BenchError("could not start paperwire serve")


# ---- data ---------------------------------------------------------------------------------


@contextmanager
def fresh_database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'web.db'}"
        return
    # tests/support is not a package on the path; benches borrow its throwaway server.
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from support.postgres import TemporaryPostgres, postgres_available

    if not postgres_available():
        raise BenchError(
            "PostgreSQL with pgvector is not installed (run scripts/install-system-deps)"
        )
    with TemporaryPostgres(dbname="paperwire_web_bench") as server:
        yield server.url


@dataclass
class Dataset:
    source: str
    ingest_seconds: float
    latest_date: date
    papers_on_latest_date: int
    papers_in_store: int


def load_data(database_url: str, corpus: Path | None, workdir: Path) -> Dataset:
    args = ("ingest", "demo") if corpus is None else ("ingest", "jsonl", str(corpus))
    log = workdir / "ingest.log"
    env = dict(os.environ, PAPERWIRE_DATABASE_URL=database_url)
    started = time.perf_counter()
    with log.open("wb") as log_file:
        result = subprocess.run(
            paperwire_command(*args),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise BenchError(f"paperwire {' '.join(args)} failed ({result.returncode}):\n{tail}")
    engine = open_database(database_url)
    try:
        with Session(engine) as session:
            latest = latest_listing_date(session)
            if latest is None:
                raise BenchError("the database has no listing day after the ingest")
            on_latest = list_papers(session, period=day(latest), limit=1).total
            everything = list_papers(session, limit=1).total
    finally:
        engine.dispose()
    source = "demo data" if corpus is None else str(corpus)
    return Dataset(source, seconds, latest, on_latest, everything)


# ---- one mode -----------------------------------------------------------------------------


@dataclass
class ModeResult:
    mode: str
    cache_seconds: str | None
    runs: list[WrkResult]
    baseline_rps: float
    drift: float  # last health run vs first
    answers: dict[str, dict[str, Any]]
    problems: list[str] = field(default_factory=list)

    def ratio(self, run: WrkResult) -> float:
        return run.requests_per_second / self.baseline_rps if self.baseline_rps else 0.0


def endpoints(latest: date) -> list[Endpoint]:
    health = Endpoint("health (first)", "/api/health", "baseline", "application/json")
    return [
        health,
        Endpoint("daily page /", "/", "page", "text/html"),
        Endpoint("API daily_papers", "/api/daily_papers", "api", "application/json"),
        Endpoint(
            "API daily_papers?date",
            f"/api/daily_papers?date={latest.isoformat()}",
            "api",
            "application/json",
        ),
        Endpoint("health (last)", "/api/health", "baseline", "application/json"),
    ]


def check_answers(server: Server, targets: Sequence[Endpoint]) -> tuple[dict[str, Any], list[str]]:
    """One plain GET per URL before the load: right status and type, and a body."""
    answers: dict[str, Any] = {}
    problems: list[str] = []
    for endpoint in targets:
        if endpoint.path in answers:
            continue
        status, media_type, body = fetch(server.base_url + endpoint.path)
        answer: dict[str, Any] = {"status": status, "content_type": media_type, "bytes": len(body)}
        if status != 200 or not media_type.startswith(endpoint.media_type):
            problems.append(f"GET {endpoint.path}: {status} {media_type!r}, {body[:200]!r}")
        elif endpoint.kind == "api":
            items = json.loads(body)
            answer["items"] = len(items) if isinstance(items, list) else None
            if not items:
                problems.append(f"GET {endpoint.path}: an empty answer")
        answers[endpoint.path] = answer
    return answers, problems


def bench_mode(
    mode: str,
    database_url: str,
    dataset: Dataset,
    args: argparse.Namespace,
    workdir: Path,
) -> ModeResult:
    cache_seconds = MODES[mode]
    targets = endpoints(dataset.latest_date)
    load = Load(args.threads, args.connections, args.duration)
    with running_server(database_url, args.workers, cache_seconds, workdir, mode) as server:
        answers, problems = check_answers(server, targets)
        if args.warmup > 0:
            for path in dict.fromkeys(endpoint.path for endpoint in targets):
                with console.status(f"{mode}: warming up {path}…"):
                    run_wrk(server.base_url + path, load, duration=args.warmup)
        runs: list[WrkResult] = []
        for endpoint in targets:
            with console.status(f"{mode}: wrk {endpoint.path} for {args.duration} s…"):
                run = parse_wrk(run_wrk(server.base_url + endpoint.path, load), endpoint)
            runs.append(run)
            console.print(
                f"  {mode:<9} {endpoint.label:<22} {run.requests_per_second:>9,.0f} req/s  "
                f"p50 {run.latency_percentiles_ms.get('p50', 0):7.2f} ms"
                + (f"  [bold red]{run.failures:,} failed[/]" if run.failures else "")
            )
            if server.process.poll() is not None:
                raise BenchError(f"the server died during the run:\n{server.log_tail()}")
        problems.extend(
            f"{run.label}: {run.non_2xx_3xx:,} non-2xx/3xx answers, socket errors "
            f"{run.socket_errors}"
            for run in runs
            if run.failures
        )
    first, last = runs[0], runs[-1]
    baseline = (first.requests_per_second + last.requests_per_second) / 2
    drift = (last.requests_per_second - first.requests_per_second) / first.requests_per_second
    return ModeResult(mode, cache_seconds, runs, baseline, drift, answers, problems)


# ---- report -------------------------------------------------------------------------------


def mode_table(result: ModeResult, load: Load) -> Table:
    cache = "off (0 s)" if result.cache_seconds == "0" else "on (app default)"
    table = Table(
        title=f"{result.mode}: response cache {cache}; wrk -t{load.threads} "
        f"-c{load.connections} -d{load.duration}s",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("endpoint")
    table.add_column("path")
    for name in ("req/s", "vs health", "avg ms", "p50 ms", "p99 ms", "max ms", "fails"):
        table.add_column(name, justify="right")
    for run in result.runs:
        ratio = result.ratio(run)
        ratio_text = f"{ratio:.0%}"
        if run.kind != "baseline":
            ratio_text = f"[{'green' if ratio >= TARGET_RATIO else 'red'}]{ratio_text}[/]"
        table.add_row(
            run.label,
            run.path if len(run.path) <= 32 else run.path[:31] + "…",
            f"{run.requests_per_second:,.0f}",
            ratio_text,
            f"{run.latency_avg_ms:.2f}",
            f"{run.latency_percentiles_ms.get('p50', 0):.2f}",
            f"{run.latency_percentiles_ms.get('p99', 0):.2f}",
            f"{run.latency_max_ms:.1f}",
            f"{run.failures:,}",
        )
    table.caption = (
        f"baseline = mean of the two health runs = {result.baseline_rps:,.0f} req/s; "
        f"drift last vs first {result.drift:+.1%}"
    )
    return table


def checks_for(result: ModeResult) -> list[tuple[str, bool]]:
    return [
        (
            f"{result.mode}: {run.label} at {result.ratio(run):.0%} of /api/health "
            f"({run.requests_per_second:,.0f} vs {result.baseline_rps:,.0f} req/s; "
            f"target ≥ {TARGET_RATIO:.0%})",
            result.ratio(run) >= TARGET_RATIO and not run.failures,
        )
        for run in result.runs
        if run.kind != "baseline"
    ]


def git_revision() -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return path


# ---- command line -------------------------------------------------------------------------


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Requests/s of Paperwire's daily page and API against /api/health, with wrk.",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="load this JSON-lines file (plain or .gz) instead of the bundled demo data",
    )
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="database to serve from (default: a fresh SQLite file in a temp dir)",
    )
    parser.add_argument(
        "--workers", type=positive_int, default=1, help="uvicorn worker processes (default: 1)"
    )
    parser.add_argument(
        "--duration", type=positive_int, default=10, help="seconds per wrk run (default: 10)"
    )
    parser.add_argument(
        "--connections", type=positive_int, default=32, help="wrk connections (default: 32)"
    )
    parser.add_argument("--threads", type=positive_int, default=2, help="wrk threads (default: 2)")
    parser.add_argument(
        "--warmup",
        type=int,
        default=1,
        help="seconds of unmeasured wrk load on each URL first (default: 1; 0 for none)",
    )
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument(
        "--no-cache",
        action="store_true",
        help="only the uncached mode (PAPERWIRE_CACHE_SECONDS=0: every request renders)",
    )
    modes.add_argument(
        "--cache-only", action="store_true", help="only the cached mode (the app's default)"
    )
    args = parser.parse_args(argv)
    if args.threads > args.connections:
        parser.error("--threads must not exceed --connections (wrk needs a connection each)")
    return args


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run(args: argparse.Namespace) -> int:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed (it is a Debian package: apt-get install wrk)")
    corpus: Path | None = args.corpus
    if corpus is not None and not corpus.is_file():
        raise BenchError(f"corpus not found: {corpus}")
    modes = ["uncached"] if args.no_cache else ["cached"] if args.cache_only else list(MODES)
    load = Load(args.threads, args.connections, args.duration)
    console.print(
        f"[bold]Web benchmark[/bold]: {args.backend}, {args.workers} worker(s), modes "
        f"{', '.join(modes)}; load average {os.getloadavg()[0]:.2f}"
    )
    results: list[ModeResult] = []
    with tempfile.TemporaryDirectory(prefix="paperwire-web-bench-") as tmp:
        workdir = Path(tmp)
        with fresh_database(args.backend, workdir) as database_url:
            with console.status("loading data…"):
                dataset = load_data(database_url, corpus.resolve() if corpus else None, workdir)
            console.print(
                f"  loaded {dataset.source}: {dataset.papers_in_store:,} papers in "
                f"{dataset.ingest_seconds:.1f} s; latest listing day {dataset.latest_date} "
                f"with {dataset.papers_on_latest_date:,} papers"
            )
            for mode in modes:
                results.append(bench_mode(mode, database_url, dataset, args, workdir))

    console.print()
    checks: list[tuple[str, bool]] = []
    for result in results:
        console.print(mode_table(result, load))
        checks.extend(checks_for(result))
    for label, passed in checks:
        verdict = "[bold green]PASS[/bold green]" if passed else "[bold red]FAIL[/bold red]"
        console.print(f"{verdict}  {label}")
    problems = [f"{result.mode}: {problem}" for result in results for problem in result.problems]
    for problem in problems:
        console.print(f"[bold red]PROBLEM[/bold red]  {problem}")

    payload = {
        "benchmark": "web",
        "finished_at": datetime.now(UTC).isoformat(),
        "environment": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_end": os.getloadavg(),
            "git_revision": git_revision(),
            "wrk": shutil.which("wrk"),
        },
        "options": {
            "backend": args.backend,
            "workers": args.workers,
            "threads": args.threads,
            "connections": args.connections,
            "duration_seconds": args.duration,
            "warmup_seconds": args.warmup,
        },
        "dataset": asdict(dataset),
        "target_ratio": TARGET_RATIO,
        "modes": [
            {
                "mode": result.mode,
                "cache_seconds": result.cache_seconds or "app default",
                "baseline_requests_per_second": result.baseline_rps,
                "baseline_drift": result.drift,
                "answers": result.answers,
                "runs": [
                    asdict(run) | {"ratio_to_baseline": result.ratio(run)} for run in result.runs
                ],
                "problems": result.problems,
            }
            for result in results
        ],
        "checks": [{"check": label, "passed": passed} for label, passed in checks],
    }
    written = write_results("web", payload)
    shown = written.relative_to(REPO_ROOT) if written.is_relative_to(REPO_ROOT) else written
    console.print(f"Results: {shown}")
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)  # so the server is stopped on kill too
    signal.signal(signal.SIGHUP, _raise_interrupt)
    try:
        return run(args)
    except BenchError as error:
        console.print(f"[bold red]error:[/bold red] {error}")
        return 2
    except KeyboardInterrupt:
        console.print("[yellow]interrupted; the server was stopped[/yellow]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
