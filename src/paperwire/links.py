"""Find code repositories and project pages that authors mention in abstracts and comments."""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

_URL = re.compile(
    r"(?:https?://|(?<![\w./@])(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co)/)"
    r"[^\s<>\"'{}|\\^`\]\[]+",
    re.IGNORECASE,
)
# Most abstracts name no URL; these cheap substring tests skip the regex for them.
_URL_HINTS = ("://", "github.com/", "gitlab.com/", "huggingface.co/")
_TRAILING = ".,;:!?)]}'\""
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "huggingface.co")
_IGNORED_HOSTS = ("arxiv.org", "doi.org", "dx.doi.org", "creativecommons.org")


@dataclass
class PaperLinks:
    code: list[str] = field(default_factory=list)
    project: list[str] = field(default_factory=list)


def find_links(*texts: str | None) -> PaperLinks:
    """Split the URLs in ``texts`` into code repositories and project pages, in order, once each."""
    links = PaperLinks()
    for text in texts:
        if not text or not any(hint in text.lower() for hint in _URL_HINTS):
            continue
        for raw in _URL.findall(text):
            url = _clean(raw)
            host = _host(url)
            if not host or "." not in host or _is_ignored(host):
                continue
            target = links.code if _is_code(url, host) else links.project
            if url not in target:
                target.append(url)
    return links


def _clean(raw: str) -> str:
    url = raw
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    if not url.lower().startswith(("http://", "https://")):
        url = "https://" + url
    return url


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _is_ignored(host: str) -> bool:
    return any(host == ignored or host.endswith("." + ignored) for ignored in _IGNORED_HOSTS)


def _is_code(url: str, host: str) -> bool:
    """A repository on a forge: ``host/owner/name``, not the forge's front page or a user page."""
    if host not in _CODE_HOSTS:
        return False
    parts = [part for part in urlsplit(url).path.split("/") if part]
    return len(parts) >= 2
