"""Pages and form actions for the community: votes, comments, submissions, collections,
profiles and moderation. Handlers are thin: the work happens in ``paperwire.community``.

Every action works as a plain form post (redirecting back) and, for votes, also answers
JSON to the small script that updates a count in place.
"""

import csv
import io
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from paperwire.accounts.users import get_user_by_username
from paperwire.arxiv_ids import InvalidArxivId, parse_arxiv_id
from paperwire.community import collections as lists
from paperwire.community.comments import (
    CommentError,
    NotYourComment,
    add_comment,
    delete_comment,
    edit_comment,
)
from paperwire.community.moderation import (
    moderation_log,
    set_comment_hidden,
    set_paper_hidden,
    set_user_disabled,
)
from paperwire.community.submissions import SubmissionError, submit_paper
from paperwire.community.votes import set_vote, upvoted_papers
from paperwire.store.papers import get_paper, list_papers
from paperwire.store.schema import Comment, Paper
from paperwire.web.accounts import notice, page
from paperwire.web.auth import (
    NotAllowed,
    current_viewer,
    rate_limit,
    require_admin,
    require_verified,
    require_viewer,
)
from paperwire.web.markdown import paper_bibtex
from paperwire.web.responses import open_session
from paperwire.web.routing import PrefixRouter

router = PrefixRouter(
    prefixes=("/comments/", "/submit", "/collections", "/users/", "/admin"),
    write_prefixes=("/papers/",),
    include_in_schema=False,
)
FormText = Annotated[str, Form(max_length=20_000)]


def paper_or_404(session: Session, arxiv_id: str, *, include_hidden: bool = False) -> Paper:
    try:
        base = parse_arxiv_id(arxiv_id).base
    except InvalidArxivId:
        raise HTTPException(404, f"{arxiv_id!r} is not an arXiv identifier") from None
    paper = get_paper(session, base, include_hidden=include_hidden)
    if paper is None:
        raise HTTPException(404, f"No paper {base} here")
    return paper


def back(request: Request, fallback: str) -> RedirectResponse:
    """Return to the page the form was on (same site only)."""
    referer = urlsplit(request.headers.get("referer", ""))
    here = urlsplit(str(request.base_url))
    target = fallback
    if referer.netloc == here.netloc and referer.path.startswith("/"):
        target = referer.path + (f"?{referer.query}" if referer.query else "")
    return RedirectResponse(target, status_code=303)


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


# ---- votes -------------------------------------------------------------------------------


@router.post("/papers/{arxiv_id:path}/upvote")
def toggle_upvote(request: Request, arxiv_id: str) -> Response:
    viewer = require_verified(request)
    with open_session(request) as session:
        paper_id = paper_or_404(session, arxiv_id).id
        refused = rate_limit(request, session, "vote", viewer.id)
        if refused:
            if wants_json(request):
                return JSONResponse({"error": str(refused)}, status_code=429)
            return notice(request, "Slow down", str(refused), 429)
        upvoted, count = set_vote(session, paper_id, viewer.id, None)
    if wants_json(request):
        return JSONResponse({"upvoted": upvoted, "upvotes": count})
    return back(request, f"/papers/{arxiv_id}")


# ---- comments ----------------------------------------------------------------------------


def _comment_form(
    request: Request,
    paper: Paper,
    body: str,
    error: str,
    *,
    comment_id: int | None = None,
    status_code: int = 400,
) -> Response:
    context = {"paper": paper, "body": body, "error": error, "comment_id": comment_id}
    return page(request, "comment_form.html", context, status_code if error else 200)


@router.post("/papers/{arxiv_id:path}/comments")
def post_comment(
    request: Request,
    arxiv_id: str,
    body: FormText = "",
    parent_id: Annotated[int | None, Form()] = None,
) -> Response:
    viewer = require_verified(request)
    with open_session(request) as session:
        paper = paper_or_404(session, arxiv_id)
        refused = rate_limit(request, session, "comment", viewer.id)
        if refused:
            return _comment_form(request, paper, body, str(refused), status_code=429)
        try:
            comment = add_comment(session, paper, viewer.id, body, parent_id)
        except CommentError as error:
            session.rollback()
            return _comment_form(request, paper, body, str(error))
        session.commit()
        return RedirectResponse(f"/papers/{paper.arxiv_id}#comment-{comment.id}", status_code=303)


def _own_comment(session: Session, request: Request, comment_id: int) -> tuple[Comment, Paper]:
    viewer = require_viewer(request)
    comment = session.get(Comment, comment_id)
    if comment is None or comment.deleted_at is not None:
        raise HTTPException(404, "No such comment")
    if comment.user_id != viewer.id:
        raise NotAllowed("You can only change your own comments.")
    paper = session.get(Paper, comment.paper_id)
    assert paper is not None
    return comment, paper


@router.get("/comments/{comment_id}/edit", response_class=HTMLResponse)
def edit_comment_form(request: Request, comment_id: int) -> Response:
    with open_session(request) as session:
        comment, paper = _own_comment(session, request, comment_id)
        return _comment_form(request, paper, comment.body, "", comment_id=comment.id)


@router.post("/comments/{comment_id}/edit")
def save_comment(request: Request, comment_id: int, body: FormText = "") -> Response:
    viewer = require_verified(request)
    with open_session(request) as session:
        comment, paper = _own_comment(session, request, comment_id)
        try:
            edit_comment(session, comment, viewer.id, body)
        except NotYourComment as error:
            raise NotAllowed(str(error)) from None
        except CommentError as error:
            session.rollback()
            return _comment_form(request, paper, body, str(error), comment_id=comment_id)
        session.commit()
        return RedirectResponse(f"/papers/{paper.arxiv_id}#comment-{comment_id}", status_code=303)


@router.post("/comments/{comment_id}/delete")
def remove_comment(request: Request, comment_id: int) -> Response:
    viewer = require_viewer(request)
    with open_session(request) as session:
        comment, paper = _own_comment(session, request, comment_id)
        delete_comment(session, comment, viewer.id)
        session.commit()
        return RedirectResponse(f"/papers/{paper.arxiv_id}#comments", status_code=303)


# ---- submissions -------------------------------------------------------------------------


@router.get("/submit", response_class=HTMLResponse)
def submit_form(request: Request) -> Response:
    require_viewer(request)
    return page(request, "submit.html", {"value": ""})


@router.post("/submit", response_class=HTMLResponse)
def submit(request: Request, paper: Annotated[str, Form(max_length=300)] = "") -> Response:
    viewer = require_verified(request)
    with open_session(request) as session:
        refused = rate_limit(request, session, "submit", viewer.id)
    if refused:
        return page(request, "submit.html", {"value": paper, "error": str(refused)}, 429)
    try:
        submitted = submit_paper(
            request.app.state.engine,
            paper,
            viewer.id,
            arxiv_url=request.app.state.settings.arxiv_api_url,
        )
    except SubmissionError as error:
        context = {"value": paper, "error": str(error), "existing": error.arxiv_id}
        return page(request, "submit.html", context, 400)
    return RedirectResponse(f"/papers/{submitted.arxiv_id}?submitted=1", status_code=303)


# ---- collections -------------------------------------------------------------------------


@router.get("/collections", response_class=HTMLResponse)
def my_collections(request: Request) -> Response:
    viewer = require_viewer(request)
    with open_session(request) as session:
        mine = lists.user_collections(session, viewer.id)
        return page(request, "collections.html", {"collections": mine})


@router.post("/collections", response_class=HTMLResponse)
def new_collection(
    request: Request,
    name: FormText = "",
    description: FormText = "",
    is_public: Annotated[bool, Form()] = False,
    paper: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Create a collection, optionally with a first paper (from a paper page)."""
    viewer = require_verified(request)
    with open_session(request) as session:
        refused = rate_limit(request, session, "collection", viewer.id)
        try:
            if refused:
                raise lists.CollectionError(str(refused))
            collection = lists.create_collection(
                session, viewer.id, name, description=description, is_public=is_public
            )
            if paper:
                lists.add_paper(session, collection, paper_or_404(session, paper).id)
        except lists.CollectionError as error:
            session.rollback()
            mine = lists.user_collections(session, viewer.id)
            context = {"collections": mine, "error": str(error), "name": name}
            return page(request, "collections.html", context, 400)
        session.commit()
        if paper:
            return RedirectResponse(f"/papers/{paper}#collections", status_code=303)
        return RedirectResponse(f"/collections/{collection.id}", status_code=303)


def _collection_or_404(session: Session, request: Request, collection_id: int) -> Any:
    viewer = current_viewer(request)
    collection = lists.visible_collection(session, collection_id, viewer.id if viewer else None)
    if collection is None:
        raise HTTPException(404, "No such collection (or it is private)")
    return collection


def _owned_collection(session: Session, request: Request, collection_id: int) -> Any:
    viewer = require_verified(request)
    collection = _collection_or_404(session, request, collection_id)
    if collection.user_id != viewer.id:
        raise NotAllowed("Only its owner can change a collection.")
    return collection


@router.get("/collections/{collection_id:int}", response_class=HTMLResponse)
def show_collection(request: Request, collection_id: int) -> Response:
    with open_session(request) as session:
        collection = _collection_or_404(session, request, collection_id)
        context = {
            "collection": collection,
            "owner": collection.owner,
            "papers": lists.collection_papers(session, collection.id),
        }
        return page(request, "collection.html", context)


@router.post("/collections/{collection_id:int}", response_class=HTMLResponse)
def save_collection(
    request: Request,
    collection_id: int,
    name: FormText = "",
    description: FormText = "",
    is_public: Annotated[bool, Form()] = False,
) -> Response:
    with open_session(request) as session:
        collection = _owned_collection(session, request, collection_id)
        try:
            lists.update_collection(
                session, collection, name=name, description=description, is_public=is_public
            )
        except lists.CollectionError as error:
            session.rollback()
            return notice(request, "Not saved", str(error), 400)
        session.commit()
    return RedirectResponse(f"/collections/{collection_id}", status_code=303)


@router.post("/collections/{collection_id:int}/delete")
def delete_collection(request: Request, collection_id: int) -> Response:
    with open_session(request) as session:
        session.delete(_owned_collection(session, request, collection_id))
        session.commit()
    return RedirectResponse("/collections", status_code=303)


@router.post("/collections/{collection_id:int}/papers")
def change_collection_papers(
    request: Request,
    collection_id: int,
    paper: Annotated[str, Form(max_length=100)] = "",
    action: Annotated[str, Form(pattern="^(add|remove)$")] = "add",
) -> Response:
    with open_session(request) as session:
        collection = _owned_collection(session, request, collection_id)
        target = paper_or_404(session, paper, include_hidden=action == "remove")
        if action == "add":
            lists.add_paper(session, collection, target.id)
        else:
            lists.remove_paper(session, collection, target.id)
        session.commit()
    return back(request, f"/collections/{collection_id}")


@router.get("/collections/{collection_id:int}.bib")
def collection_bibtex(request: Request, collection_id: int) -> Response:
    with open_session(request) as session:
        collection = _collection_or_404(session, request, collection_id)
        entries = [paper_bibtex(paper) for paper in lists.collection_papers(session, collection.id)]
    return Response(
        "\n\n".join(entries) + "\n",
        media_type="application/x-bibtex; charset=utf-8",
        headers=_download(f"collection-{collection_id}.bib"),
    )


CSV_COLUMNS = ("arxiv_id", "title", "authors", "categories", "listing_date", "url", "pdf_url")


@router.get("/collections/{collection_id:int}.csv")
def collection_csv(request: Request, collection_id: int) -> Response:
    with open_session(request) as session:
        collection = _collection_or_404(session, request, collection_id)
        papers = lists.collection_papers(session, collection.id)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for paper in papers:
            writer.writerow(
                (
                    paper.arxiv_id,
                    paper.title,
                    "; ".join(paper.authors),
                    " ".join(paper.categories),
                    paper.listing_date.isoformat() if paper.listing_date else "",
                    f"https://arxiv.org/abs/{paper.arxiv_id}",
                    f"https://arxiv.org/pdf/{paper.arxiv_id}",
                )
            )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers=_download(f"collection-{collection_id}.csv"),
    )


def _download(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


# ---- profiles ----------------------------------------------------------------------------


@router.get("/users/{username}", response_class=HTMLResponse)
def profile(request: Request, username: str) -> Response:
    viewer = current_viewer(request)
    with open_session(request) as session:
        user = get_user_by_username(session, username)
        if user is None or (user.disabled_at is not None and not (viewer and viewer.is_admin)):
            raise HTTPException(404, f"No user {username!r}")
        own = viewer is not None and viewer.id == user.id
        context = {
            "user": user,
            "own": own,
            "submissions": list_papers(session, submitted_by=user.id, limit=100).papers,
            "upvoted": upvoted_papers(session, user.id) if user.show_upvotes or own else None,
            "collections": lists.user_collections(session, user.id, public_only=not own),
        }
        return page(request, "profile.html", context)


# ---- moderation --------------------------------------------------------------------------


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request) -> Response:
    require_admin(request)
    with open_session(request) as session:
        return page(request, "admin.html", {"log": moderation_log(session)})


@router.post("/admin/papers/{arxiv_id:path}/{action}")
def moderate_paper(request: Request, arxiv_id: str, action: str, reason: FormText = "") -> Response:
    viewer = require_admin(request)
    if action not in ("hide", "unhide"):
        raise HTTPException(404, "Unknown action")
    with open_session(request) as session:
        paper = paper_or_404(session, arxiv_id, include_hidden=True)
        set_paper_hidden(session, paper, action == "hide", actor_id=viewer.id, reason=reason)
        session.commit()
        return RedirectResponse(f"/papers/{paper.arxiv_id}", status_code=303)


@router.post("/admin/comments/{comment_id}/{action}")
def moderate_comment(
    request: Request, comment_id: int, action: str, reason: FormText = ""
) -> Response:
    viewer = require_admin(request)
    if action not in ("hide", "unhide"):
        raise HTTPException(404, "Unknown action")
    with open_session(request) as session:
        comment = session.get(Comment, comment_id)
        if comment is None:
            raise HTTPException(404, "No such comment")
        set_comment_hidden(session, comment, action == "hide", actor_id=viewer.id, reason=reason)
        paper = session.get(Paper, comment.paper_id)
        assert paper is not None
        session.commit()
        return RedirectResponse(f"/papers/{paper.arxiv_id}#comment-{comment_id}", status_code=303)


@router.post("/admin/users/{username}/{action}")
def moderate_user(request: Request, username: str, action: str, reason: FormText = "") -> Response:
    viewer = require_admin(request)
    if action not in ("disable", "enable"):
        raise HTTPException(404, "Unknown action")
    with open_session(request) as session:
        user = get_user_by_username(session, username)
        if user is None:
            raise HTTPException(404, f"No user {username!r}")
        if user.id == viewer.id:
            raise NotAllowed("You cannot disable yourself.")
        set_user_disabled(session, user, action == "disable", actor_id=viewer.id, reason=reason)
        session.commit()
    return RedirectResponse(f"/users/{username}", status_code=303)
