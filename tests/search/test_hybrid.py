"""Hybrid search over the 36 real sample papers, on SQLite and PostgreSQL alike."""

import shutil

from sqlalchemy import Engine, func, select, text

from paperwire.search.hybrid import SearchService, fuse
from paperwire.search.query import parse_query
from paperwire.search.results import Highlighter
from paperwire.store.schema import Paper, PaperEmbedding, SearchChange


def ranked(service: SearchService, query: str, mode: str = "hybrid", limit: int = 5) -> list[str]:
    result = service.search(parse_query(query), mode=mode, limit=limit)  # type: ignore[arg-type]
    return arxiv_ids(service.engine, [hit.paper_id for hit in result.hits])


def arxiv_ids(engine: Engine, paper_ids: list[int]) -> list[str]:
    with engine.connect() as connection:
        by_id = {
            row.id: row.arxiv_id for row in connection.execute(select(Paper.id, Paper.arxiv_id))
        }
    return [by_id[paper_id] for paper_id in paper_ids]


def test_fusion_weighs_normalised_scores() -> None:
    keyword = [(1, 12.0), (2, 8.0), (3, 4.0)]
    semantic = [(3, 0.9), (4, 0.7), (1, 0.5)]
    hits = fuse(keyword, semantic, keyword_weight=0.4)
    assert [(hit.paper_id, round(hit.score, 3)) for hit in hits] == [
        (3, 0.6),  # 0.4 * 0 + 0.6 * 1
        (1, 0.4),  # 0.4 * 1 + 0.6 * 0
        (4, 0.3),
        (2, 0.2),
    ]
    assert hits[0].keyword == 0.0 and hits[0].semantic == 0.9
    assert [hit.paper_id for hit in fuse(keyword, [], 1.0)] == [1, 2, 3]


def test_keyword_semantic_and_hybrid_rankings(service: SearchService) -> None:
    query = "neural operator for PDE"
    assert ranked(service, query, "keyword") == [
        "2606.28122", "2606.27442", "2606.27604", "2606.28471", "2606.26122",
    ]  # fmt: skip
    assert ranked(service, query, "semantic") == ["2606.28122", "2606.29047", "2606.26122"]
    # The fluid-dynamics paper has none of the words but the meaning: fusion brings it in.
    assert ranked(service, query) == [
        "2606.28122", "2606.27442", "2606.27604", "2606.28471", "2606.29047",
    ]  # fmt: skip


def test_meaning_finds_what_words_miss(service: SearchService) -> None:
    assert ranked(service, "robot", "keyword") == []
    assert ranked(service, "robot") == ["2606.28692", "2606.27505", "2606.26122"]
    # Hybrid keeps the keyword order on top and adds papers only the meaning finds.
    assert ranked(service, "hallucination in language models") == [
        "2606.28354", "2606.26101", "2606.29734", "2606.26105", "2606.27379",
    ]  # fmt: skip
    assert "2606.26105" not in ranked(service, "hallucination in language models", "keyword")


def test_filters_and_phrases_bind_both_sides(service: SearchService) -> None:
    assert ranked(service, '"neural operator"') == ["2606.28122"]
    assert ranked(service, "transformer after:2026-06-30") == ["2606.28778"]
    assert ranked(service, "cat:cs.CV has:code") == ["2606.28122"]
    assert set(ranked(service, "author:li", limit=10)) == {
        "2606.28471", "2606.27776", "2606.28030", "2606.27731", "2606.26100",
    }  # fmt: skip
    with service.engine.connect() as connection:
        in_cs_it = {
            row.arxiv_id
            for row in connection.execute(select(Paper.arxiv_id, Paper.categories))
            if "cs.IT" in row.categories
        }
    for mode in ("keyword", "semantic", "hybrid"):
        found = ranked(service, "language models cat:cs.IT", mode, limit=36)
        assert found and set(found) <= in_cs_it


def test_only_filters_lists_newest_first(service: SearchService) -> None:
    result = service.search(parse_query("before:2026-06-28"), limit=50)
    assert result.by_date and result.total == 12
    assert service.search(parse_query("before:2026-06-29"), limit=50).total == 24
    with service.engine.connect() as connection:
        days = connection.execute(
            select(Paper.listing_date).where(Paper.id.in_([hit.paper_id for hit in result.hits]))
        ).scalars()
        assert {str(day) for day in days} == {"2026-06-26"}


def test_related_papers_are_nearest_vectors(service: SearchService) -> None:
    with service.engine.connect() as connection:
        paper = connection.execute(select(Paper).where(Paper.arxiv_id == "2606.26651")).one()
    hits = service.related(paper.id, paper.title, limit=4)
    assert arxiv_ids(service.engine, [hit.paper_id for hit in hits]) == [
        "2606.26948", "2606.26564", "2606.27557", "2606.26139",
    ]  # fmt: skip
    assert all(hit.semantic is not None and 0 < hit.semantic < 1 for hit in hits)


def test_snippets_mark_matched_stems() -> None:
    highlighter = Highlighter(parse_query('operators "neural network" <b>'))
    snippet = highlighter.snippet("A neural operator learns <maps> between networks.")
    assert str(snippet) == (
        "A <mark>neural</mark> <mark>operator</mark> learns &lt;maps&gt; between "
        "<mark>networks</mark>."
    )


def test_lost_index_files_are_rebuilt_from_the_database(service: SearchService) -> None:
    before = ranked(service, "neural operator for PDE")
    shutil.rmtree(service.index.directory)
    assert not service.index.is_current(service.engine)
    report = service.index.sync(service.engine)
    assert report is not None and report.rebuilt and report.vectors == 36
    assert ranked(service, "neural operator for PDE") == before


def test_changed_papers_are_reindexed_and_reembedded(service: SearchService) -> None:
    from paperwire.ingest.pipeline import run_ingest
    from paperwire.records import make_record
    from paperwire.search.vectors import embed_papers
    from support.search import shared_embedder

    engine = service.engine
    with engine.connect() as connection:
        paper = connection.execute(select(Paper).where(Paper.arxiv_id == "2606.27557")).one()
    record = make_record(
        raw_id="2606.27557v9", title="Zebrafish regeneration atlas", abstract=paper.abstract,
        authors=paper.authors, categories=paper.categories, source="test",
    )  # fmt: skip
    run_ingest(engine, [record])
    assert ranked(service, "zebrafish", "keyword") == []  # not synced yet
    assert embed_papers(engine, shared_embedder()) == 1  # only the changed paper
    report = service.index.sync(engine)
    assert report is not None and (report.rebuilt, report.papers, report.vectors) == (False, 36, 36)
    assert ranked(service, "zebrafish", "keyword") == ["2606.27557"]
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(SearchChange)) == 0
        stored = connection.scalar(
            select(PaperEmbedding.text_hash).where(PaperEmbedding.paper_id == paper.id)
        )
    assert stored is not None


def test_every_vector_records_its_model(service: SearchService) -> None:
    with service.engine.connect() as connection:
        models = connection.execute(text("SELECT DISTINCT model FROM paper_embeddings")).scalars()
        assert list(models) == [service.index.model]


def test_a_missing_keyword_folder_answers_empty_instead_of_crashing(
    service: SearchService,
) -> None:
    from paperwire.search.index import SearchIndex

    state = service.index.read_state()
    assert state is not None and state.keyword_dir == "keyword-1"
    folder = service.index.directory / state.keyword_dir
    folder.rename(folder.with_name("elsewhere"))
    reader = SearchIndex(service.index.directory, service.index.model)
    assert reader.snapshot().searcher is None  # tantivy would have crashed the process
    folder.with_name("elsewhere").rename(folder)
    assert reader.snapshot().searcher is not None


def test_a_rebuild_keeps_the_previous_folder_for_readers(service: SearchService) -> None:
    for _ in range(3):
        service.index.sync(service.engine, rebuild=True)
    folders = sorted(p.name for p in service.index.directory.glob("keyword*"))
    assert folders == ["keyword-3", "keyword-4"]
