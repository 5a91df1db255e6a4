"""The OAI-PMH harvester against recorded arXiv answers served on loopback.

Only one ListRecords page was recorded, and it ends with the resumption token
``726959|1001``. To exercise paging, the server answers that token with a second page
built from the record of ``GetRecordResponse.xml`` and an empty (final) token.
"""

from datetime import UTC, date, datetime

import pytest

from paperwire.ingest.errors import SourceError
from paperwire.ingest.http import HttpFetcher
from paperwire.ingest.oai import checkpoint_key, get_record, harvest, split_authors
from paperwire.records import Checkpoint, PaperRecord, Rejected, SourceItem
from support.fixture_server import FixtureServer, Reply
from support.oai_pages import (
    FIRST_PAGE,
    FIRST_PAGE_IDS,
    FIRST_PAGE_PARAMS,
    RECORDINGS,
    SECOND_PAGE_PARAMS,
    TOKEN,
    serve_both_pages,
)


def papers_by_id(items: list[SourceItem]) -> dict[str, PaperRecord]:
    return {item.arxiv_id: item for item in items if isinstance(item, PaperRecord)}


def test_harvest_pages_and_checkpoints(server: FixtureServer, fetcher: HttpFetcher) -> None:
    serve_both_pages(server)
    items = list(harvest(from_date=date(2014, 10, 1), base_url=server.url, fetcher=fetcher))
    key = checkpoint_key(base_url=server.url, from_date=date(2014, 10, 1))
    assert [item.arxiv_id for item in items[:6] if isinstance(item, PaperRecord)] == FIRST_PAGE_IDS
    assert items[6] == Checkpoint(key=key, token=TOKEN)
    assert isinstance(items[7], PaperRecord)
    assert items[7].arxiv_id == "1302.2146"
    assert items[8] == Checkpoint(key=key, token=None)
    assert len(items) == 9
    assert [request.params for request in server.requests] == [
        FIRST_PAGE_PARAMS,
        SECOND_PAGE_PARAMS,
    ]


def test_arxiv_raw_fields(server: FixtureServer, fetcher: HttpFetcher) -> None:
    serve_both_pages(server)
    papers = papers_by_id(
        list(harvest(from_date=date(2014, 10, 1), base_url=server.url, fetcher=fetcher))
    )

    limits = papers["0704.0716"]
    assert limits.source == "oai"
    assert limits.title == "Limit distributions and scaling functions"
    assert limits.authors == ["Christoph Richard"]
    assert limits.categories == ["math-ph", "math.MP"]
    assert limits.version == 4
    assert limits.published_at == datetime(2007, 4, 5, 12, 45, 3, tzinfo=UTC)
    assert limits.updated_at == datetime(2008, 11, 14, 9, 7, 25, tzinfo=UTC)
    assert limits.listing_date == date(2007, 4, 6)  # Thursday 08:45 EDT -> Friday
    assert limits.comment == (
        "54 pages, 2 figures; v2 updated and slightly expanded; v3 changes in some proofs; "
        "v4 slightly expanded"
    )
    assert limits.journal_ref == (
        "Polygons, polyominoes and polycubes, 247-299, Lecture Notes in Phys., 775, "
        "Springer, Dordrecht, 2009"
    )
    assert limits.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert limits.doi is None
    assert limits.abstract.startswith("We discuss the asymptotic behaviour of models")
    assert limits.abstract.endswith("a pedagogic review of known results.")

    symmetry = papers["0704.0471"]
    assert symmetry.authors == ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]
    assert symmetry.title == (
        "Density dependence of the symmetry energy and the nuclear equation of state: "
        "A Dynamical and Statistical model perspective"
    )
    assert symmetry.doi == "10.1103/PhysRevC.76.024606 10.1103/PhysRevC.76.039902"
    assert 'an extremely " stiff " and " soft " form' in symmetry.abstract
    assert symmetry.license is None
    # Tuesday 18:04 EDT is after the cutoff: Wednesday's batch, listed Thursday.
    assert symmetry.listing_date == date(2007, 4, 5)

    assert papers["0704.1109"].authors == ["Valeria M. Rosa", "Patricio S. letelier"]

    dileptons = papers["1302.2146"]
    assert dileptons.authors == [
        "Joshua Berger",
        "Maxim Perelstein",
        "Michael Saelim",
        "Philip Tanedo",
    ]
    assert dileptons.categories == ["hep-ph", "hep-ex"]
    assert dileptons.version == 2
    assert dileptons.published_at == datetime(2013, 2, 8, 21, 0, 1, tzinfo=UTC)
    assert dileptons.updated_at == datetime(2013, 4, 2, 1, 50, 8, tzinfo=UTC)
    assert dileptons.listing_date == date(2013, 2, 12)  # Friday 16:00 EST -> Tuesday


def test_resume_starts_at_the_saved_token(server: FixtureServer, fetcher: HttpFetcher) -> None:
    serve_both_pages(server)
    items = list(
        harvest(
            from_date=date(2014, 10, 1),
            resume_token=TOKEN,
            base_url=server.url,
            fetcher=fetcher,
        )
    )
    key = checkpoint_key(base_url=server.url, from_date=date(2014, 10, 1))
    assert [type(item) for item in items] == [PaperRecord, Checkpoint]
    assert isinstance(items[0], PaperRecord)
    assert items[0].arxiv_id == "1302.2146"
    assert items[1] == Checkpoint(key=key, token=None)
    assert [request.params for request in server.requests] == [SECOND_PAGE_PARAMS]


def test_checkpoint_key_names_the_harvest() -> None:
    key = checkpoint_key(
        base_url="https://oaipmh.arxiv.org/oai/",
        set_spec="cs",
        from_date=date(2025, 1, 1),
        until=date(2025, 1, 31),
    )
    assert (
        key == "oai:https://oaipmh.arxiv.org/oai|arXivRaw|set=cs|from=2025-01-01|until=2025-01-31"
    )
    assert checkpoint_key() == "oai:https://oaipmh.arxiv.org/oai|arXivRaw|set=|from=|until="
    assert checkpoint_key(metadata_prefix="arXiv") != checkpoint_key()


def test_no_records_match_is_an_empty_finished_harvest(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    params = {
        "verb": "ListRecords",
        "metadataPrefix": "arXivRaw",
        "from": "2025-01-01",
        "until": "2025-01-02",
        "set": "moo",
    }
    server.add(params, Reply((RECORDINGS / "ErrorResponseNoRecordsMatch.xml").read_bytes()))
    first, last = date(2025, 1, 1), date(2025, 1, 2)
    items = list(
        harvest(set_spec="moo", from_date=first, until=last, base_url=server.url, fetcher=fetcher)
    )
    key = checkpoint_key(base_url=server.url, set_spec="moo", from_date=first, until=last)
    assert items == [Checkpoint(key=key, token=None)]
    assert server.requests[0].params == params


@pytest.mark.parametrize(
    ("recording", "status", "code", "message"),
    [
        (
            "ErrorResponseBadArgument.xml",
            400,
            "badArgument",
            "Verb 'ListRecords', illegal argument 'identifier'.",
        ),
        (
            "ErrorResponseBadResumptionToken.xml",
            200,
            "badResumptionToken",
            "The resumptionToken supplied is illegal for this repository",
        ),
        ("ErrorResponseBadVerb.xml", 200, "badVerb", "Bad verb. Verb 'wah' not implemented."),
    ],
)
def test_oai_errors_raise_with_code_and_message(
    server: FixtureServer,
    fetcher: HttpFetcher,
    recording: str,
    status: int,
    code: str,
    message: str,
) -> None:
    server.add(SECOND_PAGE_PARAMS, Reply((RECORDINGS / recording).read_bytes(), status))
    with pytest.raises(SourceError) as raised:
        list(harvest(resume_token=TOKEN, base_url=server.url, fetcher=fetcher))
    assert str(raised.value) == f"OAI-PMH error {code}: {message}"
    assert raised.value.code == code


def test_get_record(server: FixtureServer, fetcher: HttpFetcher) -> None:
    params = {
        "verb": "GetRecord",
        "identifier": "oai:arXiv.org:1302.2146",
        "metadataPrefix": "arXivRaw",
    }
    server.add(params, Reply((RECORDINGS / "GetRecordResponse.xml").read_bytes()))
    paper = get_record("https://arxiv.org/abs/1302.2146v2", base_url=server.url, fetcher=fetcher)
    assert isinstance(paper, PaperRecord)
    assert (paper.arxiv_id, paper.version) == ("1302.2146", 2)
    assert paper.title == "The Same-Sign Dilepton Signature of RPV/MFV SUSY"
    assert paper.comment == "18 pages, 6 figures; v2: References added"
    assert server.requests[0].params == params


def test_get_record_of_an_unknown_id(server: FixtureServer, fetcher: HttpFetcher) -> None:
    params = {
        "verb": "GetRecord",
        "identifier": "oai:arXiv.org:0813.2274",
        "metadataPrefix": "arXivRaw",
    }
    server.add(params, Reply((RECORDINGS / "ErrorResponseIdDoesNotExist.xml").read_bytes()))
    # 0813 is no month, so first show that such an id is refused before any request...
    assert get_record("0813.2274", base_url=server.url, fetcher=fetcher) == Rejected(
        "oai", raw="0813.2274", reason="malformed arXiv id '0813.2274'"
    )
    assert server.requests == []
    # ...then ask for a well-formed id the server does not know.
    server.add(
        {**params, "identifier": "oai:arXiv.org:0812.2274"},
        Reply((RECORDINGS / "ErrorResponseIdDoesNotExist.xml").read_bytes()),
    )
    with pytest.raises(SourceError, match="OAI-PMH error idDoesNotExist: Identifier") as raised:
        get_record("0812.2274", base_url=server.url, fetcher=fetcher)
    assert raised.value.code == "idDoesNotExist"


def test_a_broken_page_with_a_readable_token_is_rejected_and_harvest_goes_on(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    broken = FIRST_PAGE.replace(b"</title>", b"", 1)
    serve_both_pages(server, first_page=broken)
    items = list(harvest(from_date=date(2014, 10, 1), base_url=server.url, fetcher=fetcher))
    key = checkpoint_key(base_url=server.url, from_date=date(2014, 10, 1))
    assert [type(item) for item in items] == [Rejected, Checkpoint, PaperRecord, Checkpoint]
    rejected = items[0]
    assert isinstance(rejected, Rejected)
    assert rejected.raw == broken.decode()
    assert rejected.reason == "unreadable OAI-PMH XML page"
    assert rejected.ref is not None
    assert "from=2014-10-01" in rejected.ref
    assert items[1] == Checkpoint(key=key, token=TOKEN)


def test_a_cut_page_without_token_stops_the_harvest(
    server: FixtureServer, fetcher: HttpFetcher
) -> None:
    serve_both_pages(server, first_page=FIRST_PAGE[:5000])
    with pytest.raises(SourceError, match="no resumption token in it"):
        list(harvest(from_date=date(2014, 10, 1), base_url=server.url, fetcher=fetcher))


def test_retry_after_503_is_honoured(server: FixtureServer, fetcher: HttpFetcher) -> None:
    serve_both_pages(server)
    server.fail_next(1, headers={"Retry-After": "0"})
    items = list(harvest(resume_token=TOKEN, base_url=server.url, fetcher=fetcher))
    assert [type(item) for item in items] == [PaperRecord, Checkpoint]
    assert len(server.requests) == 2


# The recordings have no page in the ``arXiv`` format; this one follows arXiv's schema
# with the metadata of 1302.2146 (the "III" suffix is added to exercise that field).
ARXIV_FORMAT_PAGE = b"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2015-01-06T20:48:16Z</responseDate>
<request verb="ListRecords" metadataPrefix="arXiv">http://export.arxiv.org/oai2</request>
<ListRecords>
<record>
<header><identifier>oai:arXiv.org:1302.2146</identifier><datestamp>2013-04-03</datestamp></header>
<metadata>
<arXiv xmlns="http://arxiv.org/OAI/arXiv/">
<id>1302.2146</id><created>2013-02-08</created><updated>2013-04-02</updated>
<authors>
<author><keyname>Berger</keyname><forenames>Joshua</forenames></author>
<author><keyname>Perelstein</keyname><forenames>Maxim</forenames></author>
<author><keyname>Saelim</keyname><forenames>Michael</forenames><suffix>III</suffix></author>
<author><keyname>Tanedo</keyname><forenames>Philip</forenames></author>
</authors>
<title>The Same-Sign Dilepton Signature of RPV/MFV SUSY</title>
<categories>hep-ph hep-ex</categories>
<comments>18 pages, 6 figures; v2: References added</comments>
<license>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</license>
<abstract>  The lack of observation of superpartners at the Large Hadron Collider so far
has led to a renewed interest in supersymmetric models with R-parity violation
(RPV).</abstract>
</arXiv>
</metadata>
</record>
<record>
<header status="deleted">
 <identifier>oai:arXiv.org:0704.0002</identifier><datestamp>2015-01-01</datestamp>
</header>
</record>
<resumptionToken cursor="0" completeListSize="2"/>
</ListRecords>
</OAI-PMH>
"""


def test_arxiv_metadata_format(server: FixtureServer, fetcher: HttpFetcher) -> None:
    server.add({"verb": "ListRecords", "metadataPrefix": "arXiv"}, Reply(ARXIV_FORMAT_PAGE))
    items = list(harvest(metadata_prefix="arXiv", base_url=server.url, fetcher=fetcher))
    assert [type(item) for item in items] == [PaperRecord, Rejected, Checkpoint]
    paper, deleted, checkpoint = items
    assert isinstance(paper, PaperRecord)
    assert paper.authors == [
        "Joshua Berger",
        "Maxim Perelstein",
        "Michael Saelim III",
        "Philip Tanedo",
    ]
    assert paper.categories == ["hep-ph", "hep-ex"]
    assert paper.version is None
    assert paper.published_at == datetime(2013, 2, 8, tzinfo=UTC)
    assert paper.updated_at == datetime(2013, 4, 2, tzinfo=UTC)
    assert paper.listing_date is None  # a date without a time cannot place the cutoff
    assert paper.abstract.endswith("R-parity violation (RPV).")
    assert isinstance(deleted, Rejected)
    assert deleted.reason == "deleted at the source: oai:arXiv.org:0704.0002"
    assert checkpoint == Checkpoint(
        key=checkpoint_key(base_url=server.url, metadata_prefix="arXiv"), token=None
    )


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Christoph Richard", ["Christoph Richard"]),
        ("Valeria M. Rosa and Patricio S. letelier", ["Valeria M. Rosa", "Patricio S. letelier"]),
        (
            "D.V. Shetty, S.J. Yennello, and G.A. Souliotis",
            ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"],
        ),
        (
            "Joshua Berger, Maxim Perelstein, Michael Saelim and Philip Tanedo",
            ["Joshua Berger", "Maxim Perelstein", "Michael Saelim", "Philip Tanedo"],
        ),
        ("A. Gould (Ohio State), B. S. Gaudi (CfA)", ["A. Gould", "B. S. Gaudi"]),
        ("A. One (1), B. Two (2) ((1) MIT, (2) CfA)", ["A. One", "B. Two"]),
        ("John Smith, Jr., Jane\n  Doe", ["John Smith Jr.", "Jane Doe"]),
        ("", []),
    ],
)
def test_split_authors(text: str, names: list[str]) -> None:
    assert split_authors(text) == names
