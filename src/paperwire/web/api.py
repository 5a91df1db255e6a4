"""The JSON API, shaped like the Hugging Face papers API so ``huggingface_hub`` works unchanged."""

import json
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from paperwire.accounts.users import get_user_by_username
from paperwire.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperwire.periods import InvalidPeriod, parse_period
from paperwire.search.query import MAX_QUERY_LENGTH, QueryError, query_from_fields
from paperwire.search.results import load_papers
from paperwire.store.papers import get_paper, list_papers, trending_papers
from paperwire.store.schema import Paper
from paperwire.web.hf_json import daily_item, paper_detail
from paperwire.web.markdown import paper_markdown
from paperwire.web.responses import Rendered, cached, open_session
from paperwire.web.search import search_service

router = APIRouter()


def _json(data: Any, headers: tuple[tuple[str, str], ...] = ()) -> Rendered:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Rendered(body, "application/json", headers)


@router.get("/docs", include_in_schema=False, response_class=HTMLResponse)
async def docs(request: Request) -> HTMLResponse:
    """The OpenAPI documentation, with Swagger UI served from this site."""
    html = request.app.state.templates.env.get_template("docs.html").render()
    return HTMLResponse(html)


@router.get("/api/health", tags=["meta"])
async def health() -> dict[str, str]:
    """A trivial endpoint for load balancers, and the baseline of the web benchmark."""
    return {"status": "ok"}


@router.get("/api/daily_papers", tags=["papers"])
async def daily_papers(
    request: Request,
    p: Annotated[int, Query(ge=0, le=10_000, description="page, from 0")] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    date: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
    week: Annotated[str | None, Query(description="YYYY-Www (ISO week)")] = None,
    month: Annotated[str | None, Query(description="YYYY-MM")] = None,
    submitter: Annotated[str | None, Query(max_length=100)] = None,
    sort: Literal["publishedAt", "trending"] = "publishedAt",
    category: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Papers of a day, week or month (all days when none is given), newest first."""
    try:
        period = parse_period(date_text=date, week_text=week, month_text=month)
    except InvalidPeriod as error:
        raise HTTPException(400, str(error)) from None

    def render() -> Rendered:
        with open_session(request) as session:
            submitter_id = None
            if submitter:
                user = get_user_by_username(session, submitter)
                if user is None:
                    return _json([])
                submitter_id = user.id
            if sort == "trending" and period is None and submitter_id is None:
                page = trending_papers(session, category=category, offset=p * limit, limit=limit)
            else:
                page = list_papers(
                    session,
                    period=period,
                    category=category,
                    sort=sort,
                    submitted_by=submitter_id,
                    offset=p * limit,
                    limit=limit,
                )
            items = [daily_item(paper) for paper in page.papers]
        headers: tuple[tuple[str, str], ...] = ()
        if page.has_next:
            query = dict(request.query_params) | {"p": str(p + 1)}
            next_url = f"{request.url.path}?{urlencode(query)}"
            headers = (("Link", f'<{next_url}>; rel="next"'),)
        return _json(items, headers)

    return await cached(request, render)


@router.get("/api/papers/search", tags=["papers"])
async def search_papers(
    request: Request,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)] = "",
    limit: Annotated[int, Query(ge=1, le=120)] = 20,
    author: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    after: Annotated[str | None, Query(max_length=10, description="YYYY[-MM[-DD]]")] = None,
    before: Annotated[str | None, Query(max_length=10, description="YYYY[-MM[-DD]]")] = None,
    has_code: bool = False,
    mode: Literal["hybrid", "keyword", "semantic"] = "hybrid",
) -> Response:
    """Papers ranked by hybrid (BM25 + embedding) relevance to ``q``; newest first without ``q``.

    ``q`` takes "quoted phrases", author:, cat:, after:, before: and has:code too.
    """
    try:
        parsed = query_from_fields(
            q, author=author, category=category, after=after, before=before, has_code=has_code
        )
    except QueryError as error:
        raise HTTPException(400, str(error)) from None

    def render() -> Rendered:
        with open_session(request) as session:
            if not parsed.has_text and not parsed.filters:
                papers = list(list_papers(session, limit=limit).papers)
            else:
                result = search_service(request).search(parsed, mode=mode, limit=limit)
                papers = load_papers(session, [hit.paper_id for hit in result.hits])
            return _json([daily_item(paper) for paper in papers])

    return await cached(request, render)


@router.get("/api/papers/{arxiv_id:path}", tags=["papers"])
async def paper_info(request: Request, arxiv_id: str) -> Response:
    """One paper; 404 when it is unknown."""

    def render() -> Rendered:
        with open_session(request) as session:
            return _json(paper_detail(_paper_or_404(session, arxiv_id)))

    return await cached(request, render)


@router.get("/papers/{arxiv_id:path}.md", tags=["papers"], response_class=Response)
async def paper_markdown_page(request: Request, arxiv_id: str) -> Response:
    """The paper page as Markdown, for ``HfApi.read_paper``."""

    def render() -> Rendered:
        with open_session(request) as session:
            paper = _paper_or_404(session, arxiv_id)
            return Rendered(paper_markdown(paper).encode(), "text/markdown; charset=utf-8")

    return await cached(request, render)


def _paper_or_404(session: Session, arxiv_id: str) -> Paper:
    try:
        base = parse_arxiv_id(arxiv_id).base
    except InvalidArxivId:
        raise HTTPException(404, f"Paper not found: {arxiv_id!r} is not an arXiv id") from None
    paper = get_paper(session, base)
    if paper is None:
        raise HTTPException(404, f"Paper not found: {base}")
    return paper
