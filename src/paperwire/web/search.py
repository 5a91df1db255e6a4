"""The search page and the related-papers API; ``/api/papers/search`` lives in ``api.py``.

This router is included before ``api.router``: its ``/api/papers/{id}/related`` route
would otherwise be taken by the ``/api/papers/{arxiv_id:path}`` catch-all.
"""

import json
from dataclasses import dataclass
from math import ceil
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from paperwire.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperwire.search.hybrid import MAX_RESULTS, SearchResult, SearchService
from paperwire.search.query import ParsedQuery, QueryError, query_from_fields
from paperwire.search.results import Highlighter, load_papers, related_papers
from paperwire.store.papers import get_paper
from paperwire.store.schema import Paper
from paperwire.web.hf_json import daily_item
from paperwire.web.responses import Rendered, cached, open_session

router = APIRouter()
RESULTS_PER_PAGE = 20
SearchMode = Annotated[str, Query(pattern="^(hybrid|keyword|semantic)$")]


def search_service(request: Request) -> SearchService:
    service: SearchService = request.app.state.search
    service.catch_up()
    return service


@dataclass
class SearchForm:
    q: str = ""
    author: str = ""
    cat: str = ""
    after: str = ""
    before: str = ""
    has_code: bool = False
    mode: str = "hybrid"

    @property
    def is_empty(self) -> bool:
        return not (self.q.strip() or self.author or self.cat or self.after or self.before) and (
            not self.has_code
        )

    def parse(self) -> ParsedQuery:
        return query_from_fields(
            self.q,
            author=self.author,
            category=self.cat,
            after=self.after,
            before=self.before,
            has_code=self.has_code,
        )

    def href(self, **changes: object) -> str:
        values = {**self.__dict__, **changes}
        params = {key: str(value) for key, value in values.items() if value and key != "has_code"}
        if values["has_code"]:
            params["has_code"] = "1"
        if params.get("mode") == "hybrid":
            del params["mode"]
        return "/search?" + urlencode(params)


@dataclass
class ResultCard:
    paper: Paper
    snippet: Markup


@dataclass
class SearchView:
    form: SearchForm
    result: SearchResult | None
    cards: list[ResultCard]
    page: int
    error: str | None = None

    @property
    def page_count(self) -> int:
        if self.result is None:
            return 0
        return max(1, ceil(min(self.result.total, MAX_RESULTS) / RESULTS_PER_PAGE))

    def page_href(self, number: int) -> str | None:
        if not 1 <= number <= self.page_count:
            return None
        return self.form.href(page=number if number > 1 else "")


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
async def search_page(
    request: Request,
    q: str = "",
    author: Annotated[str, Query(max_length=200)] = "",
    cat: Annotated[str, Query(max_length=64)] = "",
    after: Annotated[str, Query(max_length=10)] = "",
    before: Annotated[str, Query(max_length=10)] = "",
    has_code: bool = False,
    mode: SearchMode = "hybrid",
    page: Annotated[int, Query(ge=1, le=MAX_RESULTS // RESULTS_PER_PAGE)] = 1,
) -> Response:
    form = SearchForm(q, author.strip(), cat.strip(), after.strip(), before.strip(), has_code, mode)
    try:
        parsed = None if form.is_empty else form.parse()
    except QueryError as error:
        html = _page(request, SearchView(form, None, [], page, error=str(error)))
        return HTMLResponse(html, status_code=400)

    def render() -> Rendered:
        view = SearchView(form, None, [], page)
        if parsed is not None:
            view.result, view.cards = _run(request, parsed, form.mode, page)
        return Rendered(_page(request, view).encode(), "text/html; charset=utf-8")

    return await cached(request, render)


def _page(request: Request, view: SearchView) -> str:
    html: str = request.app.state.templates.env.get_template("search.html").render(
        request=request, view=view
    )
    return html


def _run(
    request: Request, parsed: ParsedQuery, mode: str, page: int
) -> tuple[SearchResult, list[ResultCard]]:
    service = search_service(request)
    result = service.search(
        parsed,
        mode=mode,  # type: ignore[arg-type]
        offset=(page - 1) * RESULTS_PER_PAGE,
        limit=RESULTS_PER_PAGE,
    )
    highlighter = Highlighter(parsed)
    with open_session(request) as session:
        papers = load_papers(session, [hit.paper_id for hit in result.hits])
    return result, [ResultCard(paper, highlighter.snippet(paper.abstract)) for paper in papers]


@router.get("/api/papers/{arxiv_id:path}/related", tags=["papers"])
async def related(
    request: Request, arxiv_id: str, limit: Annotated[int, Query(ge=1, le=50)] = 10
) -> Response:
    """Papers close to this one in meaning (by title words until it has a vector)."""

    def render() -> Rendered:
        try:
            base = parse_arxiv_id(arxiv_id).base
        except InvalidArxivId:
            raise HTTPException(404, f"Paper not found: {arxiv_id!r} is not an arXiv id") from None
        with open_session(request) as session:
            paper = get_paper(session, base)
            if paper is None:
                raise HTTPException(404, f"Paper not found: {base}")
            papers = related_papers(search_service(request), session, paper, limit)
            body = json.dumps([daily_item(p) for p in papers], ensure_ascii=False)
        return Rendered(body.encode(), "application/json")

    return await cached(request, render)
