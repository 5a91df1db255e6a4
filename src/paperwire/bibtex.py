"""BibTeX entries for papers, as arXiv itself recommends citing e-prints."""

import re
from datetime import date, datetime

from paperwire.authors import author_key

_LATEX_SPECIALS = str.maketrans({"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_"})
_STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "towards"}


def paper_year(arxiv_id: str, published_at: datetime | None, listing_date: date | None) -> int:
    if published_at is not None:
        return published_at.year
    if listing_date is not None:
        return listing_date.year
    match = re.match(r"(?:.*/)?(\d{2})\d{2}", arxiv_id)
    year = int(match.group(1)) if match else 0
    return 2000 + year if year < 91 else 1900 + year


def citation_key(authors: list[str], year: int, title: str) -> str:
    last_name = author_key(authors[0]).split()[-1] if authors and author_key(authors[0]) else "anon"
    words = [word for word in author_key(title).split() if word not in _STOPWORDS]
    return f"{last_name}{year}{words[0] if words else ''}"


def bibtex_entry(
    *,
    arxiv_id: str,
    title: str,
    authors: list[str],
    year: int,
    primary_category: str | None,
    doi: str | None = None,
    journal_ref: str | None = None,
) -> str:
    fields = [
        ("title", "{" + title.translate(_LATEX_SPECIALS) + "}"),
        ("author", " and ".join(name.translate(_LATEX_SPECIALS) for name in authors)),
        ("year", str(year)),
        ("eprint", arxiv_id),
        ("archivePrefix", "arXiv"),
    ]
    if primary_category:
        fields.append(("primaryClass", primary_category))
    if doi:
        fields.append(("doi", doi.split()[0]))
    if journal_ref:
        fields.append(("note", journal_ref.translate(_LATEX_SPECIALS)))
    fields.append(("url", f"https://arxiv.org/abs/{arxiv_id}"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{citation_key(authors, year, title)},\n{body}\n}}"
