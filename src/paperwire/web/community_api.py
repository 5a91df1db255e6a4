"""The write API: votes, comments, submissions and collections as JSON.

Authenticate with a personal token (``Authorization: Bearer pw_...``, made on the
account page) or, from the site's own scripts, the session cookie plus the
``X-CSRF-Token`` header. Errors are ``{"error": ...}`` with a 4xx status.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from paperwire.community import collections as lists
from paperwire.community.comments import (
    CommentError,
    NotYourComment,
    add_comment,
    delete_comment,
    edit_comment,
    paper_comments,
)
from paperwire.community.submissions import SubmissionError, submit_paper
from paperwire.community.votes import set_vote, upvoters
from paperwire.store.schema import Comment
from paperwire.web.auth import NotAllowed, rate_limit, require_verified, require_viewer
from paperwire.web.community import paper_or_404
from paperwire.web.hf_json import daily_item, iso_z, user_object
from paperwire.web.responses import open_session
from paperwire.web.routing import PrefixRouter

router = PrefixRouter(prefixes=("/api/",), prefix="/api", tags=["community"])
# GET routes under /api/papers/{id}/..., which must come before api.router's catch-all;
# kept apart so that every other request does not have to be matched against the rest.
paper_reads = APIRouter(prefix="/api", tags=["community"])


class CommentIn(BaseModel):
    body: str = Field(max_length=20_000)
    parent_id: int | None = None


class SubmissionIn(BaseModel):
    id: str = Field(max_length=300, description="arXiv id or arXiv URL")


class CollectionIn(BaseModel):
    name: str = Field(max_length=200)
    description: str = Field("", max_length=5000)
    public: bool = False


def _refused(error: Exception) -> JSONResponse:
    return JSONResponse({"error": str(error)}, status_code=429)


@router.get("/me")
def me(request: Request) -> dict[str, Any]:
    """The account a token or session belongs to."""
    viewer = require_viewer(request)
    return {"user": viewer.username, "fullname": viewer.name, "verified": viewer.verified}


@router.post("/papers/{arxiv_id:path}/upvote")
def upvote(request: Request, arxiv_id: str) -> Response:
    """Upvote a paper (doing it twice changes nothing)."""
    return _vote(request, arxiv_id, True)


@router.delete("/papers/{arxiv_id:path}/upvote")
def withdraw_upvote(request: Request, arxiv_id: str) -> Response:
    """Take an upvote back."""
    return _vote(request, arxiv_id, False)


def _vote(request: Request, arxiv_id: str, upvoted: bool) -> Response:
    viewer = require_verified(request)
    with open_session(request) as session:
        paper_id = paper_or_404(session, arxiv_id).id
        refused = rate_limit(request, session, "vote", viewer.id)
        if refused:
            return _refused(refused)
        state, count = set_vote(session, paper_id, viewer.id, upvoted)
    return JSONResponse({"upvoted": state, "upvotes": count})


@paper_reads.get("/papers/{arxiv_id:path}/upvoters")
def list_upvoters(request: Request, arxiv_id: str) -> list[dict[str, Any]]:
    with open_session(request) as session:
        paper = paper_or_404(session, arxiv_id)
        return [user_object(user) for user in upvoters(session, paper.id)]


def _comment_json(comment: Comment, username: str) -> dict[str, Any]:
    return {
        "id": comment.id,
        "parentId": comment.parent_id,
        "author": username,
        "body": comment.body,
        "html": comment.body_html,
        "createdAt": iso_z(comment.created_at),
        "editedAt": iso_z(comment.edited_at),
    }


@paper_reads.get("/papers/{arxiv_id:path}/comments")
def list_comments(request: Request, arxiv_id: str) -> list[dict[str, Any]]:
    """Threads, oldest first; each top-level comment carries its ``replies``."""
    with open_session(request) as session:
        paper = paper_or_404(session, arxiv_id)
        return [
            {
                **_comment_json(thread.comment, thread.author.username),
                **({} if thread.visible else {"body": "", "html": ""}),
                "removed": not thread.visible,
                "replies": [
                    _comment_json(reply.comment, reply.author.username) for reply in thread.replies
                ],
            }
            for thread in paper_comments(session, paper.id, include_hidden=False)
        ]


@router.post("/papers/{arxiv_id:path}/comments", status_code=201)
def create_comment(request: Request, arxiv_id: str, comment: CommentIn) -> Response:
    viewer = require_verified(request)
    with open_session(request) as session:
        paper = paper_or_404(session, arxiv_id)
        refused = rate_limit(request, session, "comment", viewer.id)
        if refused:
            return _refused(refused)
        try:
            saved = add_comment(session, paper, viewer.id, comment.body, comment.parent_id)
        except CommentError as error:
            raise HTTPException(400, str(error)) from None
        session.commit()
        return JSONResponse(_comment_json(saved, viewer.username), status_code=201)


@router.patch("/comments/{comment_id}")
def change_comment(
    request: Request, comment_id: int, body: Annotated[str, Body(embed=True, max_length=20_000)]
) -> dict[str, Any]:
    viewer = require_verified(request)
    with open_session(request) as session:
        comment = _comment_or_404(session, comment_id)
        try:
            edit_comment(session, comment, viewer.id, body)
        except NotYourComment as error:
            raise NotAllowed(str(error)) from None
        except CommentError as error:
            raise HTTPException(400, str(error)) from None
        session.commit()
        return _comment_json(comment, viewer.username)


@router.delete("/comments/{comment_id}", status_code=204)
def remove_comment(request: Request, comment_id: int) -> Response:
    viewer = require_viewer(request)
    with open_session(request) as session:
        comment = _comment_or_404(session, comment_id)
        try:
            delete_comment(session, comment, viewer.id)
        except NotYourComment as error:
            raise NotAllowed(str(error)) from None
        except CommentError as error:
            raise HTTPException(404, str(error)) from None
        session.commit()
    return Response(status_code=204)


def _comment_or_404(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise HTTPException(404, "No such comment")
    return comment


@router.post("/submit", status_code=201)
def submit(request: Request, submission: SubmissionIn) -> Response:
    """Fetch a paper from arXiv and put it on today's list as submitted by you."""
    viewer = require_verified(request)
    with open_session(request) as session:
        refused = rate_limit(request, session, "submit", viewer.id)
    if refused:
        return _refused(refused)
    try:
        submitted = submit_paper(
            request.app.state.engine,
            submission.id,
            viewer.id,
            arxiv_url=request.app.state.settings.arxiv_api_url,
        )
    except SubmissionError as error:
        status = 409 if error.arxiv_id else 400
        return JSONResponse({"error": str(error), "id": error.arxiv_id}, status_code=status)
    with open_session(request) as session:
        paper = paper_or_404(session, submitted.arxiv_id)
        return JSONResponse(daily_item(paper), status_code=201)


@router.get("/collections")
def my_collections(request: Request) -> list[dict[str, Any]]:
    viewer = require_viewer(request)
    with open_session(request) as session:
        return [
            {"id": c.id, "name": c.name, "public": c.is_public, "numPapers": n}
            for c, n in lists.user_collections(session, viewer.id)
        ]


@router.post("/collections", status_code=201)
def create_collection(request: Request, collection: CollectionIn) -> Response:
    viewer = require_verified(request)
    with open_session(request) as session:
        try:
            created = lists.create_collection(
                session,
                viewer.id,
                collection.name,
                description=collection.description,
                is_public=collection.public,
            )
        except lists.CollectionError as error:
            raise HTTPException(400, str(error)) from None
        session.commit()
        body = {"id": created.id, "name": created.name, "public": created.is_public}
        return JSONResponse(body, status_code=201)


@router.put("/collections/{collection_id}/papers/{arxiv_id:path}")
def add_to_collection(request: Request, collection_id: int, arxiv_id: str) -> dict[str, bool]:
    return _change_collection(request, collection_id, arxiv_id, add=True)


@router.delete("/collections/{collection_id}/papers/{arxiv_id:path}")
def remove_from_collection(request: Request, collection_id: int, arxiv_id: str) -> dict[str, bool]:
    return _change_collection(request, collection_id, arxiv_id, add=False)


def _change_collection(
    request: Request, collection_id: int, arxiv_id: str, *, add: bool
) -> dict[str, bool]:
    viewer = require_verified(request)
    with open_session(request) as session:
        collection = lists.visible_collection(session, collection_id, viewer.id)
        if collection is None or collection.user_id != viewer.id:
            raise HTTPException(404, "No such collection of yours")
        paper = paper_or_404(session, arxiv_id, include_hidden=not add)
        if add:
            changed = lists.add_paper(session, collection, paper.id)
        else:
            changed = lists.remove_paper(session, collection, paper.id)
        session.commit()
        return {"changed": changed}
