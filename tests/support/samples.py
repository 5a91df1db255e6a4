"""The 36 real papers of ``fixtures/papers/sample.jsonl``, as the tests read them."""

import json
from pathlib import Path
from typing import Any

SAMPLE_PAPERS = Path(__file__).resolve().parents[1] / "fixtures" / "papers" / "sample.jsonl"
SAMPLE: list[dict[str, Any]] = [
    json.loads(line) for line in SAMPLE_PAPERS.read_text().splitlines() if line.strip()
]


def ids_listed_on(day: str) -> set[str]:
    return {paper["id"] for paper in SAMPLE if paper["listing_date"] == day}
