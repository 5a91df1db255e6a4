"""``paperwire search``, ``paperwire index ...``, and the indexing step that ends every ingest."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from paperwire.config import Settings
from paperwire.search.embedding import ModelUnavailable, load_embedder
from paperwire.search.hybrid import MODES, Mode, SearchService, model_name, open_search
from paperwire.search.known_vectors import KnownVectors, WithKnownVectors
from paperwire.search.query import QueryError, parse_query
from paperwire.search.results import load_papers
from paperwire.search.vectors import EmbedProgress, embed_papers
from paperwire.web.hf_json import daily_item

console = Console(stderr=True)
index_app = typer.Typer(help="The search index: vectors and keyword index.", no_args_is_help=True)


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def update_index(
    settings: Settings,
    engine: Engine,
    *,
    embed: bool,
    everything: bool = False,
    known: KnownVectors | None = None,
) -> None:
    """Make new and changed papers searchable: keyword index first, then vectors.

    ``known`` vectors (say, the demo's, or an export from another database) stand in for
    the model wherever they were computed from the same text by the same model.
    """
    service = open_search(settings, engine, threads=settings.embed_threads)
    _sync(service, engine, rebuild=everything)
    if not embed:
        console.print(
            "Papers are searchable by keyword; run [bold]paperwire index sync[/bold] "
            "to embed them for semantic search."
        )
        return
    try:
        embedder = load_embedder(settings.embed_threads)
    except ModelUnavailable as error:
        console.print(f"[yellow]No semantic search:[/yellow] {error}")
        return
    reusing = WithKnownVectors(embedder, known) if known is not None else None
    with _progress() as progress:
        task = progress.add_task("Embedding", total=None)

        def show(state: EmbedProgress) -> None:
            progress.update(task, completed=state.done, total=state.total)

        count = embed_papers(engine, reusing or embedder, everything=everything, on_progress=show)
    if count:
        _sync(service, engine, rebuild=everything)
    saved = f" ({reusing.reused:,} from saved vectors)" if reusing is not None else ""
    console.print(f"Embedded {count:,} papers{saved}.")


def _sync(service: SearchService, engine: Engine, *, rebuild: bool) -> None:
    with _progress() as progress:
        task = progress.add_task("Indexing", total=None)
        report = service.index.sync(
            engine,
            rebuild=rebuild,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if report is not None and report.papers:
        console.print(
            f"Search index: {report.papers:,} papers, {report.vectors:,} vectors "
            f"({'rebuilt' if report.rebuilt else 'updated'} in {report.seconds:.1f} s)."
        )


@index_app.command("sync")
def index_sync(
    ctx: typer.Context,
    embed: Annotated[bool, typer.Option(help="Embed papers that have no vector yet.")] = True,
) -> None:
    """Embed papers that lack vectors and bring the index files up to date (resumable)."""
    from paperwire.store.db import open_database

    settings: Settings = ctx.obj
    update_index(settings, open_database(settings.database_url), embed=embed)


@index_app.command("export-vectors")
def index_export_vectors(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Output file (.npz).", dir_okay=False)],
) -> None:
    """Save every current vector, keyed by the text it came from, for `--vectors` elsewhere."""
    from paperwire.store.db import open_database

    settings: Settings = ctx.obj
    known = KnownVectors.from_database(open_database(settings.database_url), model_name())
    known.save(path)
    console.print(f"Saved {len(known.by_text_hash):,} vectors of {known.model} to {path}.")


@index_app.command("rebuild")
def index_rebuild(ctx: typer.Context) -> None:
    """Re-embed every paper (say, after a model change) and rebuild the index files."""
    from paperwire.store.db import open_database

    settings: Settings = ctx.obj
    update_index(settings, open_database(settings.database_url), embed=True, everything=True)


def _mode(name: str) -> Mode:
    for mode in MODES:
        if mode == name:
            return mode
    raise typer.BadParameter(f"mode must be one of {', '.join(MODES)}")


def search_command(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help='Words, "phrases", author:, cat:, after:, before:, has:code')
    ],
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    mode: Annotated[str, typer.Option(help="hybrid, keyword or semantic")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Items as the API returns them.")] = False,
) -> None:
    """Search the papers, as the web search does."""
    from paperwire.store.db import open_database

    settings: Settings = ctx.obj
    engine = open_database(settings.database_url)
    try:
        parsed = parse_query(query)
    except QueryError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    service = open_search(settings, engine)
    if not service.index.is_current(engine):
        service.index.sync(engine)
    result = service.search(parsed, mode=_mode(mode), limit=limit)
    with Session(engine) as session:
        papers = load_papers(session, [hit.paper_id for hit in result.hits])
    if as_json:
        json.dump([daily_item(paper) for paper in papers], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return
    for note in result.notes:
        console.print(f"[yellow]{note}[/yellow]")
    table = Table(title=f"{result.total:,} results" + (" (newest first)" if result.by_date else ""))
    for column in ("score", "arXiv id", "date", "title"):
        table.add_column(column)
    for hit, paper in zip(result.hits, papers, strict=True):
        day = paper.listing_date.isoformat() if paper.listing_date else ""
        score = "" if result.by_date else f"{hit.score:.3f}"
        table.add_row(score, paper.arxiv_id, day, paper.title)
    Console().print(table)
