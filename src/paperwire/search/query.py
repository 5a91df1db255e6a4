"""The search box's little language, parsed into words, phrases and filters.

    graph neural "message passing" author:bronstein cat:cs.LG after:2025-06 has:code

Everything the parser does not recognise is read as plain words, so no input can reach
an index as syntax: quotes that do not close are closed at the end of the query, and
SQL or FTS operators are just words (or punctuation, which is dropped).
"""

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import date

MAX_QUERY_LENGTH = 250
MAX_TERMS = 32

_TOKEN = re.compile(
    r'(?P<key>[A-Za-z]+):(?:"(?P<quoted_value>[^"]*)"?|(?P<value>[^\s"]*))'
    r'|"(?P<phrase>[^"]*)"?'
    r"|(?P<word>[^\s\"]+)"
)
_WORD_CHARS = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*", re.UNICODE)
_CATEGORY = re.compile(r"[A-Za-z\-]+(\.[A-Za-z\-]+)?")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_KEY_ALIASES = {"author": "author", "cat": "cat", "category": "cat", "after": "after"}
_KEY_ALIASES |= {"before": "before", "has": "has", "since": "after", "until": "before"}

# Words so common that they only slow BM25 down and dilute the embedding of short queries.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
    ]
)


class QueryError(ValueError):
    """A query that cannot be searched; the message tells the reader how to fix it."""


@dataclass(frozen=True)
class Filters:
    """Restrictions that every result must meet, from the query or from form fields."""

    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    after: date | None = None
    before: date | None = None
    has_code: bool = False

    def __bool__(self) -> bool:
        return bool(self.authors or self.categories or self.after or self.before or self.has_code)

    def merged(self, other: "Filters") -> "Filters":
        return Filters(
            authors=self.authors + other.authors,
            categories=self.categories + other.categories,
            after=max((d for d in (self.after, other.after) if d), default=None),
            before=min((d for d in (self.before, other.before) if d), default=None),
            has_code=self.has_code or other.has_code,
        )


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...] = ()  # for BM25: without stopwords
    phrases: tuple[str, ...] = ()
    filters: Filters = field(default_factory=Filters)
    notes: tuple[str, ...] = ()  # what the parser changed, to show the reader
    text: str = ""  # every word and phrase in the order given, for the embedding

    @property
    def has_text(self) -> bool:
        return bool(self.words or self.phrases)

    def with_filters(self, filters: Filters) -> "ParsedQuery":
        return replace(self, filters=self.filters.merged(filters))


def parse_query(text: str) -> ParsedQuery:
    """Read a query; raise QueryError when it is too long or an operator is malformed."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"The query is {len(text)} characters long; the limit is 250.")
    words: list[str] = []
    phrases: list[str] = []
    in_order: list[str] = []
    notes: list[str] = []
    authors: list[str] = []
    categories: list[str] = []
    after: date | None = None
    before: date | None = None
    has_code = False
    if text.count('"') % 2:
        notes.append("A quote was not closed; it was closed at the end of the query.")
    for match in _TOKEN.finditer(text):
        key = (match.group("key") or "").lower()
        if match.group("key") is not None and key in _KEY_ALIASES:
            value = (match.group("quoted_value") or match.group("value") or "").strip()
            kind = _KEY_ALIASES[key]
            if not value:
                raise QueryError(f"{key}: needs a value, for example {_EXAMPLES[kind]}.")
            if kind == "author":
                authors.append(value)
            elif kind == "cat":
                if not _CATEGORY.fullmatch(value):
                    raise QueryError(f"{value!r} is not an arXiv category, like cs.CL or math.")
                categories.append(value)
            elif kind == "after":
                after = parse_date_bound(value, end=False, name=key)
            elif kind == "before":
                before = parse_date_bound(value, end=True, name=key)
            elif value.lower() == "code":
                has_code = True
            else:
                raise QueryError(f"has:{value} is not known; has:code is.")
        elif match.group("key") is not None:
            words.extend(_words(match.group(0)))  # "title:foo" and friends are plain words
            in_order.extend(_words(match.group(0)))
        elif match.group("phrase") is not None:
            phrase = " ".join(_words(match.group("phrase")))
            if phrase:
                phrases.append(phrase)
                in_order.append(phrase)
        else:
            words.extend(_words(match.group("word")))
            in_order.extend(_words(match.group("word")))
    content_words = [word for word in words if word.lower() not in STOPWORDS]
    if len(content_words) > MAX_TERMS:
        notes.append(f"Only the first {MAX_TERMS} words were used.")
    if after and before and after > before:
        raise QueryError(f"after:{after} comes later than before:{before}.")
    return ParsedQuery(
        words=tuple(content_words or words)[:MAX_TERMS],
        phrases=tuple(phrases),
        filters=Filters(tuple(authors), tuple(categories), after, before, has_code),
        notes=tuple(notes),
        text=" ".join(in_order),
    )


_EXAMPLES = {
    "author": 'author:hinton or author:"Yann LeCun"',
    "cat": "cat:cs.CL",
    "after": "after:2025-06-01",
    "before": "before:2026",
    "has": "has:code",
}


def _words(text: str) -> list[str]:
    return _WORD_CHARS.findall(text)


def parse_date_bound(value: str, *, end: bool, name: str) -> date:
    """YYYY, YYYY-MM or YYYY-MM-DD; both bounds include the period they name."""
    match = _DATE.fullmatch(value.strip())
    if match is None:
        raise QueryError(f"{name}:{value} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD.")
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, last) if end else date(year, month, 1)
        return date(year, month, day)
    except ValueError:
        raise QueryError(f"{name}:{value} is not a real date.") from None


def query_from_fields(
    q: str,
    *,
    author: str | None = None,
    category: str | None = None,
    after: str | None = None,
    before: str | None = None,
    has_code: bool = False,
) -> ParsedQuery:
    """The search box plus the filter fields of a form or of API parameters."""
    author = (author or "").strip()
    category = (category or "").strip()
    if category and not _CATEGORY.fullmatch(category):
        raise QueryError(f"{category!r} is not an arXiv category, like cs.CL or math.")
    filters = Filters(
        authors=(author,) if author else (),
        categories=(category,) if category else (),
        after=parse_date_bound(after, end=False, name="after") if after and after.strip() else None,
        before=parse_date_bound(before, end=True, name="before")
        if before and before.strip()
        else None,
        has_code=has_code,
    )
    if len(author) > MAX_QUERY_LENGTH:
        raise QueryError("The author name is too long.")
    parsed = parse_query(q).with_filters(filters)
    merged = parsed.filters
    if merged.after and merged.before and merged.after > merged.before:
        raise QueryError(f"after:{merged.after} comes later than before:{merged.before}.")
    return parsed
