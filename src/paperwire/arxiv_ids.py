"""arXiv identifiers: parse what people and APIs write into one canonical form.

arXiv has two schemes: new-style ``YYMM.NNNN(N)`` (since 2007) and old-style
``archive(.SUBJ)/YYMMNNN``. Both may carry a version suffix ``vN``. Identifiers
arrive bare, as ``arXiv:`` references, as abs/pdf URLs, or as OAI identifiers.
"""

import re
from dataclasses import dataclass

_NEW_STYLE = re.compile(r"(?P<base>\d{4}\.\d{4,5})(?:v(?P<version>\d+))?")
_OLD_STYLE = re.compile(
    r"(?P<base>[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7})(?:v(?P<version>\d+))?", re.IGNORECASE
)
_PREFIXES = (
    re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/", re.IGNORECASE),
    re.compile(r"^oai:arxiv\.org:", re.IGNORECASE),
    re.compile(r"^arxiv:", re.IGNORECASE),
)


class InvalidArxivId(ValueError):
    """Raised for text that is not an arXiv identifier."""


@dataclass(frozen=True)
class ArxivId:
    base: str
    version: int | None = None

    def __str__(self) -> str:
        return self.base if self.version is None else f"{self.base}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse any common spelling of an arXiv id; raise InvalidArxivId otherwise."""
    candidate = text.strip()
    for prefix in _PREFIXES:
        candidate = prefix.sub("", candidate)
    candidate = candidate.removesuffix(".pdf").rstrip("/")
    for pattern in (_NEW_STYLE, _OLD_STYLE):
        match = pattern.fullmatch(candidate)
        if match:
            version = match.group("version")
            base = match.group("base")
            if pattern is _OLD_STYLE:
                archive, number = base.split("/")
                base = f"{_normalise_archive(archive)}/{number}"
            elif not _plausible_new_style(base):
                break
            return ArxivId(base, int(version) if version else None)
    raise InvalidArxivId(f"not an arXiv identifier: {text!r}")


def is_arxiv_id(text: str) -> bool:
    try:
        parse_arxiv_id(text)
    except InvalidArxivId:
        return False
    return True


def _normalise_archive(archive: str) -> str:
    """Archives are lower case; a subject class like ``math.AG`` keeps its upper case."""
    if "." in archive:
        name, subject = archive.split(".")
        return f"{name.lower()}.{subject.upper()}"
    return archive.lower()


def _plausible_new_style(base: str) -> bool:
    """New-style ids start in April 2007 and have a real month; 0000.0000 is not an id."""
    yymm, number = base.split(".")
    year, month = int(yymm[:2]), int(yymm[2:])
    if not 1 <= month <= 12 or (year, month) < (7, 4):
        return False
    five_digit_era = (year, month) >= (15, 1)
    return len(number) == (5 if five_digit_era else 4)
