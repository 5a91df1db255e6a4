"""The query language: every operator, and every odd input answered with a clear error."""

from datetime import date

import pytest

from paperwire.search.query import Filters, QueryError, parse_query, query_from_fields


def test_words_phrases_and_every_operator() -> None:
    parsed = parse_query(
        'graph neural "message passing" author:"Michael Bronstein" cat:cs.LG '
        "after:2025-06 before:2026 has:code"
    )
    assert parsed.words == ("graph", "neural")
    assert parsed.phrases == ("message passing",)
    assert parsed.text == "graph neural message passing"
    assert parsed.filters == Filters(
        authors=("Michael Bronstein",),
        categories=("cs.LG",),
        after=date(2025, 6, 1),
        before=date(2026, 12, 31),
        has_code=True,
    )
    assert parsed.notes == ()


def test_dates_include_the_day_month_or_year_they_name() -> None:
    assert parse_query("after:2026-02").filters.after == date(2026, 2, 1)
    assert parse_query("before:2024-02").filters.before == date(2024, 2, 29)
    assert parse_query("before:2026-06-30").filters.before == date(2026, 6, 30)
    assert parse_query("since:2025").filters.after == date(2025, 1, 1)


def test_stopwords_are_dropped_for_matching_but_kept_for_meaning() -> None:
    parsed = parse_query("the state of the art in protein folding")
    assert parsed.words == ("state", "art", "protein", "folding")
    assert parsed.text == "the state of the art in protein folding"
    assert parse_query("the of").words == ("the", "of")  # nothing else to search for


def test_unbalanced_quote_is_closed_and_said() -> None:
    parsed = parse_query('"diffusion models for video')
    assert parsed.phrases == ("diffusion models for video",)
    assert parsed.notes == ("A quote was not closed; it was closed at the end of the query.",)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("' OR 1=1; DROP TABLE papers; --", ("1", "1", "DROP", "TABLE", "papers")),
        ("title:transformer AND NOT bert*", ("title", "transformer", "NOT", "bert")),
        (
            "NEAR(graph network) abstract:(x OR y)",
            ("NEAR", "graph", "network", "abstract", "x", "y"),
        ),
        ("papers MATCH 'x' ^ {} [] <>", ("papers", "MATCH", "x")),
    ],
)
def test_sql_and_fts_syntax_are_plain_words(query: str, words: tuple[str, ...]) -> None:
    assert parse_query(query).words == words


def test_only_operators_is_a_filter_without_text() -> None:
    parsed = parse_query("cat:cs.CL has:code")
    assert not parsed.has_text
    assert parsed.filters.categories == ("cs.CL",)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("x" * 251, "The query is 251 characters long; the limit is 250."),
        ("author:", 'author: needs a value, for example author:hinton or author:"Yann LeCun".'),
        ("cat:'; DROP", '"\';" is not an arXiv category, like cs.CL or math.'),
        ("after:yesterday", "after:yesterday is not a date; write YYYY, YYYY-MM or YYYY-MM-DD."),
        ("before:2026-02-30", "before:2026-02-30 is not a real date."),
        ("has:pdf", "has:pdf is not known; has:code is."),
        ("after:2026 before:2025", "after:2026-01-01 comes later than before:2025-12-31."),
    ],
)
def test_malformed_queries_get_a_clear_message(query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert str(caught.value) == message


def test_form_fields_add_to_the_query() -> None:
    parsed = query_from_fields(
        "operator learning cat:math.NA",
        author="Anima Anandkumar",
        category="cs.LG",
        after="2026-01-01",
        before="2026-06",
        has_code=True,
    )
    assert parsed.words == ("operator", "learning")
    assert parsed.filters == Filters(
        authors=("Anima Anandkumar",),
        categories=("math.NA", "cs.LG"),
        after=date(2026, 1, 1),
        before=date(2026, 6, 30),
        has_code=True,
    )
    with pytest.raises(QueryError, match="is not an arXiv category"):
        query_from_fields("x", category="cs.CL OR 1=1")
    with pytest.raises(QueryError, match="comes later than"):
        query_from_fields("x after:2026-06", before="2026-01-31")
