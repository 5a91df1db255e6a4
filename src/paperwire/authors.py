"""Author names as people type them, folded to a key that finds every spelling."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+")
_ASCII_PUNCTUATION_TO_SPACE = str.maketrans(
    {char: " " for char in map(chr, range(128)) if not (char.isalnum() or char == "_")}
)


def author_key(name: str) -> str:
    """Lower case, accents and punctuation dropped: "Dirk Wübben" and "dirk wubben" meet."""
    if name.isascii():
        return " ".join(name.casefold().translate(_ASCII_PUNCTUATION_TO_SPACE).split())
    decomposed = unicodedata.normalize("NFKD", name)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", without_accents.casefold()).strip()
