"""The ``paperwire`` command line: a thin layer over the same functions the web app calls."""

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, BinaryIO

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

from paperwire.accounts.cli import user_app
from paperwire.config import Settings
from paperwire.ingest import arxiv_api, oai
from paperwire.ingest.errors import SourceError
from paperwire.ingest.hf_daily import read_daily_papers
from paperwire.ingest.http import HttpFetcher
from paperwire.ingest.jsonl import export_jsonl, read_jsonl
from paperwire.ingest.pipeline import IngestSummary, run_ingest
from paperwire.ingest.snapshot import read_snapshot
from paperwire.mail.commands import digest_app, subscribe_command
from paperwire.records import Checkpoint, SourceItem
from paperwire.search.commands import index_app, search_command, update_index
from paperwire.search.hybrid import open_search
from paperwire.search.known_vectors import KnownVectors
from paperwire.store.db import open_database
from paperwire.store.ingest import load_checkpoint
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
app.add_typer(digest_app, name="digest")
app.command("subscribe")(subscribe_command)
app.add_typer(user_app, name="user")
app.add_typer(index_app, name="index")
app.command("search")(search_command)

console = Console(stderr=True)


def _DATE_OPTION(name: str) -> Any:  # noqa: N802 - reads as a type annotation
    return typer.Option(name, formats=["%Y-%m-%d"], help="YYYY-MM-DD")


DEMO_DATA = "demo-papers.jsonl.gz"
DEMO_VECTORS = "demo-vectors.npz"  # `paperwire index export-vectors` of the demo
NoEmbed = Annotated[
    bool,
    typer.Option(
        "--no-embed",
        help="Skip embedding (papers are still found by keyword); `paperwire index sync` later.",
    ),
]


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
    scheduler: Annotated[
        bool,
        typer.Option(
            "--scheduler",
            help="Also send due digests and alerts (and run PAPERWIRE_SCHEDULER_INGEST) "
            "every PAPERWIRE_SCHEDULER_INTERVAL seconds.",
        ),
    ] = False,
) -> None:
    """Serve the web pages, the API and the feeds. Loads data only with --scheduler."""
    import uvicorn

    settings = _settings(ctx)
    engine = open_database(settings.database_url)  # migrate once, before workers start
    open_search(settings, engine).index.sync(engine)  # and catch the search index up
    engine.dispose()
    os.environ["PAPERWIRE_DATABASE_URL"] = settings.database_url
    console.print(
        f"Paperwire on http://{host}:{port}  (database: {_redacted(settings.database_url)})"
    )
    if scheduler:
        from paperwire.mail.commands import print_round
        from paperwire.mail.scheduler import Scheduler

        Scheduler(settings, on_report=print_round).start()
        console.print(f"Scheduler: a round every {settings.scheduler_interval:g} s")
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
    no_embed: NoEmbed = False,
    vectors: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="Vectors from `paperwire index export-vectors`, reused instead of embedding.",
        ),
    ] = None,
) -> None:
    """Paperwire's JSON-lines format (the format of `paperwire export jsonl`)."""
    engine = _engine(ctx)
    for path in paths:
        _ingest_file(engine, path, read_jsonl)
    known = KnownVectors.load(vectors) if vectors is not None else None
    update_index(_settings(ctx), engine, embed=not no_embed, known=known)


@ingest_app.command("arxiv-snapshot")
def ingest_snapshot(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Plain or .gz.")],
    no_embed: NoEmbed = False,
) -> None:
    """The arXiv metadata snapshot (one JSON object a line), streamed in constant memory."""
    engine = _engine(ctx)
    _ingest_file(engine, path, read_snapshot)
    update_index(_settings(ctx), engine, embed=not no_embed)


@ingest_app.command("hf-daily")
def ingest_hf_daily(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False)],
    no_embed: NoEmbed = False,
) -> None:
    """Saved answers of the Hugging Face /api/daily_papers endpoint."""
    engine = _engine(ctx)
    for path in paths:
        _ingest_file(engine, path, read_daily_papers)
    update_index(_settings(ctx), engine, embed=not no_embed)


@ingest_app.command("arxiv-api")
def ingest_arxiv_api(
    ctx: typer.Context,
    ids: Annotated[list[str] | None, typer.Option("--id", help="arXiv id (repeatable).")] = None,
    category: Annotated[str | None, typer.Option(help="e.g. cs.CL")] = None,
    from_date: Annotated[datetime | None, _DATE_OPTION("--from")] = None,
    until: Annotated[datetime | None, _DATE_OPTION("--until")] = None,
    query: Annotated[str | None, typer.Option(help="Extra arXiv search_query terms.")] = None,
    max_results: Annotated[int | None, typer.Option(min=1)] = None,
    base_url: Annotated[str, typer.Option(help="Query API endpoint.")] = arxiv_api.DEFAULT_BASE_URL,
    pause: Annotated[float, typer.Option(min=0, help="Seconds between calls.")] = 3.0,
    no_embed: NoEmbed = False,
) -> None:
    """The arXiv query API (Atom): an id list, or a category and date range."""
    if not ids and not (category or from_date or until or query):
        raise typer.BadParameter("give --id, or --category/--from/--until/--query")
    engine = _engine(ctx)
    with HttpFetcher(min_interval=pause) as fetcher:
        if ids:
            items = arxiv_api.fetch_by_ids(ids, base_url=base_url, fetcher=fetcher)
        else:
            items = arxiv_api.search(
                category,
                from_date.date() if from_date else None,
                until.date() if until else None,
                query,
                max_results=max_results,
                base_url=base_url,
                fetcher=fetcher,
            )
        _ingest_stream(engine, "arXiv API", items)
    update_index(_settings(ctx), engine, embed=not no_embed)


@ingest_app.command("oai")
def ingest_oai(
    ctx: typer.Context,
    from_date: Annotated[datetime | None, _DATE_OPTION("--from")] = None,
    until: Annotated[datetime | None, _DATE_OPTION("--until")] = None,
    set_spec: Annotated[str | None, typer.Option("--set", help="e.g. cs")] = None,
    metadata_prefix: Annotated[str, typer.Option("--prefix", help="arXivRaw or arXiv.")] = (
        oai.DEFAULT_METADATA_PREFIX
    ),
    base_url: Annotated[str, typer.Option(help="OAI-PMH endpoint.")] = oai.DEFAULT_BASE_URL,
    pause: Annotated[float, typer.Option(min=0, help="Seconds between calls.")] = 3.0,
    restart: Annotated[bool, typer.Option(help="Ignore a saved resumption token.")] = False,
    no_embed: NoEmbed = False,
) -> None:
    """OAI-PMH ListRecords harvesting; an interrupted harvest resumes where it stopped."""
    engine = _engine(ctx)
    harvest = partial(
        oai.harvest,
        base_url=base_url,
        metadata_prefix=metadata_prefix,
        set_spec=set_spec,
        from_date=from_date.date() if from_date else None,
        until=until.date() if until else None,
    )
    key = oai.checkpoint_key(
        base_url=base_url,
        metadata_prefix=metadata_prefix,
        set_spec=set_spec,
        from_date=from_date.date() if from_date else None,
        until=until.date() if until else None,
    )
    resume_token = None
    if not restart:
        with engine.connect() as connection:
            saved = load_checkpoint(connection, key)
        if saved is not None and not saved.finished:
            resume_token = saved.token
            console.print(f"Resuming the harvest from resumption token {resume_token!r}")
    with HttpFetcher(min_interval=pause) as fetcher:
        items = harvest(resume_token=resume_token, fetcher=fetcher)
        _ingest_stream(engine, "OAI-PMH", items)
    update_index(_settings(ctx), engine, embed=not no_embed)


@ingest_app.command("demo")
def ingest_demo(ctx: typer.Context, no_embed: NoEmbed = False) -> None:
    """The demo subset bundled with Paperwire: four weeks of real arXiv listings."""
    engine = _engine(ctx)
    data = resources.files("paperwire.data")
    with resources.as_file(data / DEMO_DATA) as path:
        _ingest_file(engine, path, read_jsonl)
    with resources.as_file(data / DEMO_VECTORS) as path:
        known = KnownVectors.load(path) if path.exists() else None
    update_index(_settings(ctx), engine, embed=not no_embed, known=known)


def _ingest_file(
    engine: Engine, path: Path, reader: Callable[[BinaryIO, str], Iterable[SourceItem]]
) -> IngestSummary:
    with _progress(bytes_total=True) as progress:
        task = progress.add_task(path.name, total=path.stat().st_size, counts="")
        with progress.open(path, "rb", task_id=task) as stream:
            return _run(engine, reader(stream, str(path)), progress, task)


def _ingest_stream(engine: Engine, label: str, items: Iterable[SourceItem]) -> IngestSummary:
    with _progress(bytes_total=False) as progress:
        task = progress.add_task(label, total=None, counts="")
        counted = _counting(items, progress, task)
        return _run(engine, counted, progress, task)


def _counting(
    items: Iterable[SourceItem], progress: Progress, task: TaskID
) -> Iterator[SourceItem]:
    for item in items:
        if not isinstance(item, Checkpoint):
            progress.advance(task)
        yield item


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

    def show(summary: IngestSummary) -> None:
        counts = (
            f"new {summary.inserted:,} · updated {summary.updated:,}"
            f" · quarantined {summary.quarantined:,}"
        )
        progress.update(task, counts=counts)

    summary = IngestSummary()

    def on_batch(latest: IngestSummary) -> None:
        nonlocal summary
        summary = latest
        show(latest)

    try:
        summary = run_ingest(engine, items, on_batch=on_batch)
    except SourceError as error:
        progress.stop()
        _print_summary(summary, time.perf_counter() - started)
        console.print(f"[red]Ingest stopped:[/red] {error}")
        console.print("Everything listed above is saved; run the same command again to go on.")
        raise typer.Exit(1) from None
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
