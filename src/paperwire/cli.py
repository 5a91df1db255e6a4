"""The ``paperwire`` command line: a thin layer over the same functions the web app calls."""

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from paperwire.config import Settings
from paperwire.ingest.jsonl import export_jsonl, read_jsonl
from paperwire.ingest.pipeline import IngestSummary, run_ingest
from paperwire.records import SourceItem
from paperwire.store.db import open_database
from paperwire.store.schema import QuarantinedRecord

app = typer.Typer(
    help="Paperwire: daily research papers you can host yourself.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
ingest_app = typer.Typer(help="Load papers from a source into the database.", no_args_is_help=True)
export_app = typer.Typer(help="Write papers out of the database.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
app.add_typer(export_app, name="export")
app.add_typer(db_app, name="db")

console = Console(stderr=True)
DEMO_DATA = "demo-papers.jsonl.gz"


@app.callback()
def main(
    ctx: typer.Context,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            envvar="PAPERWIRE_DATABASE_URL",
            help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db "
            "(default: a SQLite file in your data directory).",
        ),
    ] = None,
) -> None:
    settings = Settings()
    if database:
        settings.database_url = database
    ctx.obj = settings


def _settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


def _engine(ctx: typer.Context) -> Engine:
    return open_database(_settings(ctx).database_url)


# ---- serve -------------------------------------------------------------------------------


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
) -> None:
    """Serve the web pages, the API and the feeds. Never loads data: use `paperwire ingest`."""
    import uvicorn

    settings = _settings(ctx)
    open_database(settings.database_url).dispose()  # migrate once, before workers start
    os.environ["PAPERWIRE_DATABASE_URL"] = settings.database_url
    console.print(
        f"Paperwire on http://{host}:{port}  (database: {_redacted(settings.database_url)})"
    )
    uvicorn.run(
        "paperwire.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
    )


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# ---- ingest ------------------------------------------------------------------------------


@ingest_app.command("jsonl")
def ingest_jsonl(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="Files, plain or .gz.")
    ],
) -> None:
    """Paperwire's JSON-lines format (the format of `paperwire export jsonl`)."""
    engine = _engine(ctx)
    for path in paths:
        _ingest_file(engine, path, read_jsonl)


@ingest_app.command("demo")
def ingest_demo(ctx: typer.Context) -> None:
    """The demo subset bundled with Paperwire: four weeks of real arXiv listings."""
    engine = _engine(ctx)
    with resources.as_file(resources.files("paperwire.data") / DEMO_DATA) as path:
        _ingest_file(engine, path, read_jsonl)


def _ingest_file(
    engine: Engine, path: Path, reader: Callable[[BinaryIO, str], Iterable[SourceItem]]
) -> IngestSummary:
    with _progress(bytes_total=True) as progress:
        task = progress.add_task(path.name, total=path.stat().st_size, counts="")
        with progress.open(path, "rb", task_id=task) as stream:
            return _run(engine, reader(stream, str(path)), progress, task)


@contextmanager
def _progress(*, bytes_total: bool) -> Iterator[Progress]:
    columns = [
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn() if bytes_total else MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=console, transient=False) as progress:
        yield progress


def _run(
    engine: Engine, items: Iterable[SourceItem], progress: Progress, task: TaskID
) -> IngestSummary:
    started = time.perf_counter()

    def on_batch(summary: IngestSummary) -> None:
        counts = (
            f"new {summary.inserted:,} · updated {summary.updated:,}"
            f" · quarantined {summary.quarantined:,}"
        )
        progress.update(task, counts=counts)

    summary = run_ingest(engine, items, on_batch=on_batch)
    progress.stop()
    _print_summary(summary, time.perf_counter() - started)
    return summary


def _print_summary(summary: IngestSummary, seconds: float) -> None:
    table = Table(title="Ingest summary", show_header=False)
    for name, value in summary.as_dict().items():
        table.add_row(name, f"{value:,}")
    rate = summary.seen / seconds if seconds > 0 else 0.0
    table.add_row("time", f"{seconds:.1f} s ({rate:,.0f} records/s)")
    console.print(table)
    if summary.quarantined:
        console.print("See what was quarantined and why: [bold]paperwire ingest errors[/bold]")


@ingest_app.command("errors")
def ingest_errors(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 50,
    raw: Annotated[bool, typer.Option(help="Show the raw payload too.")] = False,
) -> None:
    """Records that could not be ingested, with the reason; nothing is lost."""
    engine = _engine(ctx)
    with Session(engine) as session:
        statement = select(QuarantinedRecord).order_by(QuarantinedRecord.id.desc()).limit(limit)
        count = select(func.count()).select_from(QuarantinedRecord)
        if source:
            statement = statement.where(QuarantinedRecord.source == source)
            count = count.where(QuarantinedRecord.source == source)
        rows = list(session.scalars(statement))
        total = session.scalar(count) or 0
    table = Table(title=f"Quarantined records ({total:,} in all)")
    for column in ("id", "source", "where", "reason"):
        table.add_column(column)
    if raw:
        table.add_column("raw")
    for row in rows:
        cells = [str(row.id), row.source, row.ref or "", row.reason]
        if raw:
            cells.append(row.raw[:500])
        table.add_row(*cells)
    Console().print(table)


# ---- export and db -----------------------------------------------------------------------


@export_app.command("jsonl")
def export_jsonl_command(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help="Output file (.gz to compress); stdout if omitted.")
    ] = None,
) -> None:
    """Every paper in Paperwire's JSON-lines format: a backup you can ingest elsewhere."""
    import gzip

    engine = _engine(ctx)
    if path is None:
        count = export_jsonl(engine, sys.stdout)
    elif path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as out:
            count = export_jsonl(engine, out)
    else:
        with path.open("w", encoding="utf-8") as out:
            count = export_jsonl(engine, out)
    console.print(f"Exported {count:,} papers.")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply database migrations (other commands do this too, when needed)."""
    _engine(ctx).dispose()
    console.print("Database schema is up to date.")
