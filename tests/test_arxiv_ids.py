import pytest

from paperwire.arxiv_ids import ArxivId, InvalidArxivId, is_arxiv_id, parse_arxiv_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2503.11731", ArxivId("2503.11731")),
        ("2503.11731v3", ArxivId("2503.11731", 3)),
        ("arXiv:2503.11731v2", ArxivId("2503.11731", 2)),
        ("https://arxiv.org/abs/1707.08567v1", ArxivId("1707.08567", 1)),
        ("http://arxiv.org/pdf/2104.12255v1.pdf", ArxivId("2104.12255", 1)),
        ("https://export.arxiv.org/abs/0704.0471", ArxivId("0704.0471")),
        ("oai:arXiv.org:0704.0716", ArxivId("0704.0716")),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("astro-ph/0601001v1", ArxivId("astro-ph/0601001", 1)),
        ("math.ag/0601001", ArxivId("math.AG/0601001")),
        ("  1302.2146 ", ArxivId("1302.2146")),
    ],
)
def test_parses_every_common_spelling(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "abc", "0000.0000", "0808.05394", "2513.00001", "1501.1234", "hep-th/99", "2503.11731vX"],
)
def test_rejects_what_is_not_an_id(text: str) -> None:
    with pytest.raises(InvalidArxivId):
        parse_arxiv_id(text)
    assert not is_arxiv_id(text)


def test_str_keeps_the_version() -> None:
    assert str(ArxivId("2503.11731", 4)) == "2503.11731v4"
    assert str(ArxivId("hep-th/9901001")) == "hep-th/9901001"
