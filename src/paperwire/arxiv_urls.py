"""Links to a paper on arXiv itself."""


def abs_url(arxiv_id: str, version: int | None = None) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}{_suffix(version)}"


def pdf_url(arxiv_id: str, version: int | None = None) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}{_suffix(version)}"


def _suffix(version: int | None) -> str:
    return f"v{version}" if version else ""
