"""Search quality on SciFact (train split) through Paperwire's own ingest, index and search.

SciFact's 5,183 abstracts become Paperwire records (each gets a made-up arXiv id, since
the store keys papers by one), go through ``run_ingest``, ``embed_papers`` and
``SearchIndex.sync``, and its 809 training claims are asked through ``parse_query`` and
``SearchService.search``. It prints nDCG@10 and Recall@100 for keyword-only,
semantic-only and hybrid search, plus the fusion weight sweep and reciprocal rank fusion
for comparison, and the BM25 title boost sweep.

SciFact is CC BY-NC 2.0: it is read from the shared folder at run time and never copied
into the project. Run from the repository root::

    .venv/bin/python bench/search_quality.py [--work-dir DIR] [--scifact DIR]

With ``--work-dir`` the database and its vectors are kept, so a re-run skips embedding.
Results go to ``bench/results/search-quality-<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from paperwire.config import Settings
from paperwire.ingest.pipeline import run_ingest
from paperwire.records import PaperRecord, make_record
from paperwire.search import hybrid
from paperwire.search.embedding import load_embedder
from paperwire.search.hybrid import Hit, fuse, open_search
from paperwire.search.query import parse_query
from paperwire.search.vectors import embed_papers
from paperwire.store.db import open_database

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_SCIFACT = Path("/work/shared/eval/scifact")
DEPTH = 100
TARGET_HYBRID_NDCG = 0.70
console = Console(width=None if sys.stdout.isatty() else 110)


def fake_arxiv_id(number: int) -> str:
    return f"{2001 + number // 99_999}.{number % 99_999 + 1:05d}"


def read_corpus(folder: Path) -> tuple[list[PaperRecord], dict[str, str]]:
    records, doc_of = [], {}
    with (folder / "corpus.jsonl").open() as lines:
        for number, line in enumerate(lines):
            doc = json.loads(line)
            arxiv_id = fake_arxiv_id(number)
            doc_of[arxiv_id] = doc["_id"]
            records.append(
                make_record(
                    raw_id=arxiv_id,
                    title=doc["title"] or doc["text"][:80],
                    abstract=doc["text"],
                    authors=[],
                    categories=[],
                    source="scifact",
                    listing_date=date(2020, 1, 1),
                )
            )
    return records, doc_of


def read_queries(folder: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    qrels: dict[str, set[str]] = defaultdict(set)
    with (folder / "qrels-train.tsv").open() as lines:
        next(lines)
        for line in lines:
            query_id, doc_id, score = line.split("\t")
            if int(score) > 0:
                qrels[query_id].add(doc_id)
    queries = {}
    with (folder / "queries-train.jsonl").open() as lines:
        for line in lines:
            query = json.loads(line)
            if query["_id"] in qrels:
                queries[query["_id"]] = query["text"]
    return queries, qrels


def ndcg_at_10(ranked: list[str], relevant: set[str]) -> float:
    gain = sum(1 / math.log2(rank + 2) for rank, doc in enumerate(ranked[:10]) if doc in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(relevant), 10)))
    return gain / ideal if ideal else 0.0


def recall_at_100(ranked: list[str], relevant: set[str]) -> float:
    return len(set(ranked[:100]) & relevant) / len(relevant)


def rrf(keyword: list[tuple[int, float]], semantic: list[tuple[int, float]]) -> list[int]:
    scores: dict[int, float] = defaultdict(float)
    for ranking in (keyword, semantic):
        for rank, (paper_id, _) in enumerate(ranking):
            scores[paper_id] += 1 / (60 + rank + 1)
    return sorted(scores, key=lambda paper_id: -scores[paper_id])


def mean(values: Iterator[float] | list[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scifact", type=Path, default=DEFAULT_SCIFACT)
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args()
    if not (args.scifact / "corpus.jsonl").is_file():
        console.print(f"SciFact not found in {args.scifact}; pass --scifact DIR")
        return 2
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="paperwire-scifact-"))
    work.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{work / 'scifact.db'}"
    settings = Settings(database_url=url, search_index_dir=work / "index")
    engine = open_database(url)
    records, doc_of = read_corpus(args.scifact)
    queries, qrels = read_queries(args.scifact)

    started = time.perf_counter()
    summary = run_ingest(engine, records)
    ingest_seconds = time.perf_counter() - started
    embedder = load_embedder(2)
    started = time.perf_counter()
    embedded = embed_papers(engine, embedder)
    embed_seconds = time.perf_counter() - started
    service = open_search(settings, engine)
    service.index.sync(engine)
    console.print(
        f"{len(records):,} abstracts ({summary.inserted:,} new); embedded {embedded:,} in "
        f"{embed_seconds:.0f} s ({embedded / embed_seconds if embedded else 0:.1f}/s); "
        f"{len(queries)} queries"
    )
    with engine.connect() as connection:
        arxiv_of: dict[int, str] = {
            row.id: row.arxiv_id
            for row in connection.execute(text("SELECT id, arxiv_id FROM papers"))
        }

    def docs(paper_ids: list[int]) -> list[str]:
        return [doc_of[arxiv_of[paper_id]] for paper_id in paper_ids]

    def evaluate(rankings: dict[str, list[int]]) -> dict[str, float]:
        return {
            "ndcg@10": mean(ndcg_at_10(docs(rankings[q]), qrels[q]) for q in queries),
            "recall@100": mean(recall_at_100(docs(rankings[q]), qrels[q]) for q in queries),
        }

    keyword_lists: dict[str, list[tuple[int, float]]] = {}
    semantic_lists: dict[str, list[tuple[int, float]]] = {}
    latency: dict[str, list[float]] = defaultdict(list)
    for query_id, claim in queries.items():
        parsed = parse_query(claim)
        for mode, store in (("keyword", keyword_lists), ("semantic", semantic_lists)):
            started = time.perf_counter()
            result = service.search(parsed, mode=mode, limit=DEPTH)  # type: ignore[arg-type]
            latency[mode].append(time.perf_counter() - started)
            store[query_id] = [(hit.paper_id, _raw(hit, mode)) for hit in result.hits]
    rows: dict[str, dict[str, float]] = {}
    rows["keyword (BM25, tantivy)"] = evaluate(
        {q: [paper_id for paper_id, _ in keyword_lists[q]] for q in queries}
    )
    rows["semantic (MiniLM int8)"] = evaluate(
        {q: [paper_id for paper_id, _ in semantic_lists[q]] for q in queries}
    )
    sweep = {}
    for tenth in range(11):
        weight = tenth / 10
        sweep[weight] = evaluate(
            {
                q: [hit.paper_id for hit in fuse(keyword_lists[q], semantic_lists[q], weight)]
                for q in queries
            }
        )
    rows[f"hybrid, weighted (shipped a={hybrid.KEYWORD_WEIGHT})"] = evaluate(
        {
            q: [hit.paper_id for hit in service.search(parse_query(queries[q]), limit=DEPTH).hits]
            for q in queries
        }
    )
    rows["hybrid, RRF k=60 (for comparison)"] = evaluate(
        {q: rrf(keyword_lists[q], semantic_lists[q]) for q in queries}
    )
    title_sweep = {}
    shipped_boosts = dict(hybrid.FIELD_BOOSTS)
    for title_boost in (1.0, 1.5, 2.0, 3.0):
        hybrid.FIELD_BOOSTS["title"] = title_boost
        service_boosted = hybrid.SearchService(engine, service.index, lambda: embedder)
        title_sweep[title_boost] = evaluate(
            {
                q: [
                    hit.paper_id
                    for hit in service_boosted.search(
                        parse_query(queries[q]), mode="keyword", limit=DEPTH
                    ).hits
                ]
                for q in queries
            }
        )
    hybrid.FIELD_BOOSTS.update(shipped_boosts)

    table = Table(title=f"SciFact train: {len(queries)} claims, {len(records):,} abstracts")
    for column in ("ranking", "nDCG@10", "Recall@100"):
        table.add_column(column)
    for name, scores in rows.items():
        table.add_row(name, f"{scores['ndcg@10']:.3f}", f"{scores['recall@100']:.3f}")
    console.print(table)
    sweep_table = Table(title="Fusion weight a (a·BM25 + (1-a)·cosine, min-max normalised)")
    sweep_table.add_column("a")
    sweep_table.add_column("nDCG@10")
    sweep_table.add_column("Recall@100")
    for weight, scores in sweep.items():
        sweep_table.add_row(
            f"{weight:.1f}", f"{scores['ndcg@10']:.3f}", f"{scores['recall@100']:.3f}"
        )
    console.print(sweep_table)
    boost_table = Table(title="BM25 title boost (abstract 1.0), keyword only")
    boost_table.add_column("title boost")
    boost_table.add_column("nDCG@10")
    for boost, scores in title_sweep.items():
        boost_table.add_row(f"{boost:.1f}", f"{scores['ndcg@10']:.3f}")
    console.print(boost_table)
    for mode, seconds in latency.items():
        seconds.sort()
        console.print(
            f"{mode} search in-process: p50 {seconds[len(seconds) // 2] * 1000:.1f} ms, "
            f"p95 {seconds[int(len(seconds) * 0.95)] * 1000:.1f} ms"
        )
    hybrid_ndcg = rows[f"hybrid, weighted (shipped a={hybrid.KEYWORD_WEIGHT})"]["ndcg@10"]
    parts = max(
        rows["keyword (BM25, tantivy)"]["ndcg@10"], rows["semantic (MiniLM int8)"]["ndcg@10"]
    )
    verdict = hybrid_ndcg >= TARGET_HYBRID_NDCG and hybrid_ndcg > parts
    console.print(
        f"hybrid nDCG@10 {hybrid_ndcg:.3f}: target ≥ {TARGET_HYBRID_NDCG} and above both parts "
        f"({parts:.3f}) — {'met' if verdict else 'NOT met'}"
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS_DIR / f"search-quality-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "rankings": rows,
                "fusion_weight_sweep": {str(k): v for k, v in sweep.items()},
                "title_boost_sweep": {str(k): v for k, v in title_sweep.items()},
                "queries": len(queries),
                "documents": len(records),
                "ingest_seconds": ingest_seconds,
                "embedded": embedded,
                "embed_seconds": embed_seconds,
                "model": embedder.name,
                "target_met": verdict,
            },
            indent=1,
        )
    )
    console.print(f"wrote {out.relative_to(BENCH_DIR.parent)}")
    return 0


def _raw(hit: Hit, mode: str) -> float:
    """The side's own score, so fusion can be re-run offline with other weights."""
    if mode == "semantic":
        return hit.semantic if hit.semantic is not None else 0.0
    return hit.score


if __name__ == "__main__":
    raise SystemExit(main())
