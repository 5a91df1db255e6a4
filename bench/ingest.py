"""Ingest benchmark: the shared arXiv corpus through Paperwire's production pipeline.

For each backend (a fresh SQLite file, a fresh database on a throwaway PostgreSQL
cluster) it times ``run_ingest(open_database(url), read_jsonl(stream, name))`` twice:
the first load into an empty store, then an idempotent re-run in which every paper is
unchanged. In the same run it times the bare parse (iterating ``read_jsonl`` without
storing), before and after the loads, so the report can show what storing costs as a
multiple of parsing on this (noisy, shared) machine.

Run from the repository root::

    .venv/bin/python bench/ingest.py                      # both backends, full corpus
    .venv/bin/python bench/ingest.py --backends sqlite --limit 5000

Results go to ``bench/results/ingest-<timestamp>.json``; see ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import json
import os
import platform
import pstats
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, func, select, text

from paperwire.ingest.jsonl import read_jsonl
from paperwire.ingest.pipeline import IngestSummary, run_ingest
from paperwire.records import PaperRecord, SourceItem
from paperwire.store.db import open_database
from paperwire.store.schema import Paper

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_CORPUS = Path("/work/shared/data/arxiv-listings-2025-2026.jsonl.gz")
BACKENDS = ("sqlite", "postgresql")
TARGET_SQLITE_PAPERS_PER_SECOND = 5_000.0

# Piped output (CI logs, tee) would otherwise be cut to 80 columns and wrap the table.
console = Console(width=None if sys.stdout.isatty() else 110)


class BenchError(Exception):
    """A condition that makes the benchmark meaningless; reported without a traceback."""


# ---- measurements -------------------------------------------------------------------------


@dataclass
class Load:
    """One timed ``run_ingest`` call."""

    phase: str  # "first" (load into an empty store) or "re-run"
    seconds: float
    inserted: int
    updated: int
    unchanged: int
    quarantined: int
    profiled: bool = False
    error: str | None = None  # run_ingest raised; the counts are those committed before

    @property
    def seen(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.quarantined

    @property
    def papers_per_second(self) -> float:
        return self.seen / self.seconds if self.seconds > 0 else 0.0


@dataclass
class BackendResult:
    backend: str
    server_version: str
    open_database_seconds: float
    loads: list[Load] = field(default_factory=list)
    papers_in_store: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class ParseRun:
    label: str
    seconds: float
    items: int
    papers: int
    rejected: int

    @property
    def papers_per_second(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0


# ---- input --------------------------------------------------------------------------------


def check_corpus(path: Path) -> Path:
    if not path.exists():
        raise BenchError(
            f"corpus not found: {path}\n"
            "The benchmark needs the shared arXiv listings (see /work/shared/README.md); "
            "pass another JSON-lines file (plain or .gz) with --corpus PATH."
        )
    if not path.is_file():
        raise BenchError(f"corpus is not a file: {path}")
    return path.resolve()


@dataclass
class Corpus:
    """The input of every timed run: the same file and limit."""

    path: Path
    limit: int | None = None

    def items(self) -> Iterator[SourceItem]:
        """What the pipeline reads: ``read_jsonl`` over the open file, cut at ``limit``."""
        with self.path.open("rb") as stream:
            items: Iterable[SourceItem] = read_jsonl(stream, str(self.path))
            if self.limit is not None:
                items = itertools.islice(items, self.limit)
            yield from items


def time_parse(corpus: Corpus, label: str) -> ParseRun:
    papers = rejected = 0
    started = time.perf_counter()
    for item in corpus.items():
        if isinstance(item, PaperRecord):
            papers += 1
        else:
            rejected += 1
    seconds = time.perf_counter() - started
    return ParseRun(label, seconds, papers + rejected, papers, rejected)


# ---- backends -----------------------------------------------------------------------------


@contextmanager
def fresh_database(backend: str, workdir: Path) -> Iterator[str]:
    """Yield the SQLAlchemy URL of an empty database that exists only inside the block."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="paperwire-bench-", dir=workdir) as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.db'}"
        return
    # tests/support is not a package on the path; benches borrow its throwaway server.
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    from support.postgres import TemporaryPostgres, postgres_available

    if not postgres_available():
        raise BenchError(
            "PostgreSQL with pgvector is not installed (run scripts/install-system-deps), "
            "or drop it with --backends sqlite"
        )
    with TemporaryPostgres(dbname="paperwire_bench") as server:
        yield server.url


def server_version(engine: Engine) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return "SQLite " + str(connection.execute(text("select sqlite_version()")).scalar())
        return "PostgreSQL " + str(connection.execute(text("show server_version")).scalar())


def timed_ingest(
    engine: Engine, items: Iterable[SourceItem], phase: str, profile_to: Path | None
) -> Load:
    committed = IngestSummary()

    def on_batch(summary: IngestSummary) -> None:
        nonlocal committed
        committed = summary  # the same object each time; kept for when run_ingest raises

    profiler = cProfile.Profile() if profile_to is not None else None
    error: str | None = None
    started = time.perf_counter()
    try:
        if profiler is not None:
            profiler.runcall(run_ingest, engine, items, on_batch=on_batch)
        else:
            run_ingest(engine, items, on_batch=on_batch)
    except Exception as exc:  # a failing load is a finding, reported with the others
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    seconds = time.perf_counter() - started
    if profiler is not None and profile_to is not None:
        profiler.dump_stats(profile_to)
        print_profile(profiler, f"{engine.dialect.name} {phase}", profile_to)
    return Load(
        phase=phase,
        seconds=seconds,
        inserted=committed.inserted,
        updated=committed.updated,
        unchanged=committed.unchanged,
        quarantined=committed.quarantined,
        profiled=profiler is not None,
        error=error,
    )


def print_profile(profiler: cProfile.Profile, title: str, path: Path) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)
    console.rule(f"profile: {title}")
    console.print(out.getvalue(), markup=False, highlight=False)
    console.print(f"[dim]full profile: {path} (python -m pstats {path})[/dim]")


def bench_backend(
    backend: str, corpus: Corpus, workdir: Path, profile_prefix: Path | None
) -> BackendResult:
    with fresh_database(backend, workdir) as url:
        started = time.perf_counter()
        engine = open_database(url)  # migrations: timed apart from the loads
        opened = time.perf_counter() - started
        try:
            result = BackendResult(backend, server_version(engine), opened)
            for phase, tag in (("first", "first"), ("re-run", "rerun")):
                profile_to = (
                    None
                    if profile_prefix is None
                    else Path(f"{profile_prefix}-{backend}-{tag}.pstats")
                )
                with console.status(f"{backend}: {phase}…"):
                    load = timed_ingest(engine, corpus.items(), phase, profile_to)
                result.loads.append(load)
                console.print(
                    f"  {backend:<10} {phase:<7} {load.seen:>7,} records "
                    f"in {load.seconds:6.2f} s = {load.papers_per_second:>8,.0f}/s"
                )
                if load.error is not None:
                    console.print(f"  [bold red]{backend} {phase} load failed:[/] {load.error}")
                    break  # a re-run after a failed first load measures nothing useful
            with engine.connect() as connection:
                result.papers_in_store = connection.execute(
                    select(func.count()).select_from(Paper)
                ).scalar_one()
        finally:
            engine.dispose()
    return result


def check_consistency(result: BackendResult, expected_records: int) -> list[str]:
    """What the counts say about correctness: every record seen, a re-run changes nothing."""
    problems = [
        f"{load.phase} load failed after committing {load.seen:,} records: {load.error}"
        for load in result.loads
        if load.error is not None
    ]
    if problems:
        return problems
    first, rerun = result.loads
    if first.seen != expected_records:
        problems.append(f"parsing gave {expected_records:,} records, the load saw {first.seen:,}")
    if first.updated or first.unchanged:
        problems.append(
            f"first load into an empty store reported {first.updated:,} updated and "
            f"{first.unchanged:,} unchanged papers"
        )
    if rerun.inserted or rerun.updated:
        problems.append(
            f"re-run was not idempotent: {rerun.inserted:,} inserted, {rerun.updated:,} updated"
        )
    if result.papers_in_store != first.inserted:
        problems.append(
            f"{first.inserted:,} papers inserted but {result.papers_in_store:,} in the store"
        )
    if rerun.seen != first.seen:
        problems.append(f"first load saw {first.seen:,} records, re-run {rerun.seen:,}")
    return problems


# ---- report -------------------------------------------------------------------------------


def report(
    parses: Sequence[ParseRun], results: Sequence[BackendResult]
) -> tuple[Table, list[tuple[str, bool]]]:
    parse_seconds = sum(run.seconds for run in parses) / len(parses)
    parse_items = parses[0].items
    parse_rate = parse_items / parse_seconds if parse_seconds > 0 else 0.0
    table = Table(
        title="Paperwire ingest benchmark",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("backend")
    table.add_column("phase")
    for name in ("new", "changed", "same", "bad", "sec", "papers/s", "x parse"):
        table.add_column(name, justify="right")
    for run in parses:
        table.add_row(
            "parse",
            run.label,
            "",
            "",
            "",
            f"{run.rejected:,}",
            f"{run.seconds:.2f}",
            f"{run.papers_per_second:,.0f}",
            "",
        )
    table.add_row(
        "parse",
        "mean",
        *("",) * 4,
        f"{parse_seconds:.2f}",
        f"{parse_rate:,.0f}",
        "1.00x",
        end_section=True,
    )
    checks: list[tuple[str, bool]] = []
    for result in results:
        for load in result.loads:
            ratio = load.seconds / parse_seconds if parse_seconds > 0 else 0.0
            table.add_row(
                result.backend,
                load.phase + (" (profiled)" if load.profiled else ""),
                f"{load.inserted:,}",
                f"{load.updated:,}",
                f"{load.unchanged:,}",
                f"{load.quarantined:,}",
                f"{load.seconds:.2f}",
                "[bold red]failed[/]" if load.error else f"{load.papers_per_second:,.0f}",
                "" if load.error else f"{ratio:.2f}x",
            )
            if result.backend == "sqlite" and not load.profiled:
                passed = (
                    load.error is None and load.papers_per_second >= TARGET_SQLITE_PAPERS_PER_SECOND
                )
                checks.append(
                    (
                        f"SQLite {'first load' if load.phase == 'first' else load.phase}: "
                        f"{load.papers_per_second:,.0f} papers/s "
                        f"(target ≥ {TARGET_SQLITE_PAPERS_PER_SECOND:,.0f})",
                        passed,
                    )
                )
        table.rows[-1].end_section = True
    table.caption = (
        f"{parse_items:,} records a run; papers/s counts every record read; "
        "'x parse' is the load's time over the mean parse-only time"
    )
    return table, checks


def environment(args: argparse.Namespace, corpus: Path) -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "git_revision": git_revision(),
        "corpus": str(corpus),
        "corpus_bytes": corpus.stat().st_size,
        "limit": args.limit,
        "backends": args.backends,
    }


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


def parse_backends(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - set(BACKENDS))
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"choose from {', '.join(BACKENDS)} (comma-separated), not {value!r}"
        )
    return list(dict.fromkeys(names))


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time Paperwire's JSON-lines ingest into SQLite and PostgreSQL.",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"JSON-lines file, plain or .gz (default: {DEFAULT_CORPUS})",
    )
    parser.add_argument(
        "--backends",
        type=parse_backends,
        default=list(BACKENDS),
        help="comma-separated: sqlite,postgresql (default: both)",
    )
    parser.add_argument(
        "--limit", type=positive_int, default=None, help="only the first N records, for a quick run"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where the SQLite file goes (default: the system temp dir)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run each load under cProfile and print the hot spots "
        "(slower; profiled loads are not checked against the target)",
    )
    return parser.parse_args(argv)


def _raise_interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run(args: argparse.Namespace) -> int:
    path = check_corpus(args.corpus)
    corpus = Corpus(path, args.limit)
    workdir: Path = args.workdir or Path(tempfile.gettempdir())
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    profile_prefix = RESULTS_DIR / f"ingest-{stamp}" if args.profile else None
    if profile_prefix is not None:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    env = environment(args, path)
    console.print(
        f"[bold]Ingest benchmark[/bold]: {path} ({env['corpus_bytes'] / 1e6:.1f} MB)"
        + (f", first {args.limit:,} records" if args.limit else "")
        + f"; load average {env['load_average_at_start'][0]:.2f}"
    )

    parses: list[ParseRun] = []
    with console.status("parsing only (baseline)…"):
        parses.append(time_parse(corpus, "before"))
    if parses[0].papers == 0:
        raise BenchError(f"no paper could be read from {path}")
    console.print(
        f"  {'parse only':<18} {parses[0].items:>7,} records in {parses[0].seconds:6.2f} s "
        f"= {parses[0].papers_per_second:>8,.0f}/s"
    )

    results: list[BackendResult] = []
    for backend in args.backends:
        result = bench_backend(backend, corpus, workdir, profile_prefix)
        result.problems = check_consistency(result, parses[0].items)
        results.append(result)

    with console.status("parsing only, again (drift check)…"):
        parses.append(time_parse(corpus, "after"))

    table, checks = report(parses, results)
    console.print()
    console.print(table)
    drift = (parses[1].seconds - parses[0].seconds) / parses[0].seconds
    console.print(
        f"Parse time drift between the start and the end of the run: {drift:+.1%} "
        "(the machine is shared; large drift means noisy figures)."
    )
    for label, passed in checks:
        verdict = "[bold green]PASS[/bold green]" if passed else "[bold red]FAIL[/bold red]"
        console.print(f"{verdict}  {label}")
    problems = [f"{result.backend}: {problem}" for result in results for problem in result.problems]
    for problem in problems:
        console.print(f"[bold red]PROBLEM[/bold red]  {problem}")

    parse_mean = sum(run.seconds for run in parses) / len(parses)
    payload = {
        "benchmark": "ingest",
        "finished_at": datetime.now(UTC).isoformat(),
        "environment": env,
        "parse": [asdict(run) | {"papers_per_second": run.papers_per_second} for run in parses],
        "parse_mean_seconds": parse_mean,
        "backends": [
            {
                "backend": result.backend,
                "server_version": result.server_version,
                "open_database_seconds": result.open_database_seconds,
                "papers_in_store": result.papers_in_store,
                "loads": [
                    asdict(load)
                    | {
                        "records": load.seen,
                        "papers_per_second": None if load.error else load.papers_per_second,
                        "seconds_over_parse": load.seconds / parse_mean if parse_mean else None,
                    }
                    for load in result.loads
                ],
                "problems": result.problems,
            }
            for result in results
        ],
        "target_sqlite_papers_per_second": TARGET_SQLITE_PAPERS_PER_SECOND,
        "checks": [{"check": label, "passed": passed} for label, passed in checks],
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    written = write_results("ingest", payload)
    shown = written.relative_to(REPO_ROOT) if written.is_relative_to(REPO_ROOT) else written
    console.print(f"Results: {shown}")
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)  # so cleanup (PostgreSQL) runs on kill
    try:
        return run(args)
    except BenchError as error:
        console.print(f"[bold red]error:[/bold red] {error}")
        return 2
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/yellow]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
