"""Two pages of real arXiv OAI-PMH answers, served from a loopback fixture server.

Only one ListRecords page was recorded, and it ends with the resumption token
``726959|1001``. To exercise paging, the token is answered with a second page built
from the record of ``GetRecordResponse.xml`` and an empty (final) token.
"""

from pathlib import Path

from support.fixture_server import FixtureServer, Reply

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "oai-pmh"
FIRST_PAGE = (RECORDINGS / "ListRecordsResponse.xml").read_bytes()
TOKEN = "726959|1001"
FIRST_PAGE_PARAMS = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "from": "2014-10-01"}
SECOND_PAGE_PARAMS = {"verb": "ListRecords", "resumptionToken": TOKEN}
FIRST_PAGE_IDS = ["0704.0471", "0704.0716", "0704.0874", "0704.1109", "0704.1114", "0704.1586"]


def second_page() -> bytes:
    answer = (RECORDINGS / "GetRecordResponse.xml").read_text(encoding="utf-8")
    record = answer[answer.index("<record>") : answer.index("</record>") + len("</record>")]
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2015-01-06T20:50:31Z</responseDate>
<request verb="ListRecords" resumptionToken="{TOKEN}">http://export.arxiv.org/oai2</request>
<ListRecords>
{record}
<resumptionToken cursor="1001" completeListSize="1002"></resumptionToken>
</ListRecords>
</OAI-PMH>
""".encode()


def serve_both_pages(
    server: FixtureServer, first_page: bytes = FIRST_PAGE, second_page_delay: float = 0.0
) -> None:
    server.add(FIRST_PAGE_PARAMS, Reply(first_page))
    server.add(SECOND_PAGE_PARAMS, Reply(second_page(), delay=second_page_delay))
