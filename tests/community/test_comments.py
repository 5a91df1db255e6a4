"""Comments end to end: Markdown made safe, replies, editing, deleting, counts in the API."""

import re
from html.parser import HTMLParser

import httpx
from huggingface_hub import HfApi

from paperwire.community.markdown import render_markdown
from support.accounts import Reader, make_user, signed_in
from support.samples import SAMPLE
from support.server import LiveServer

PAPER = next(paper["id"] for paper in SAMPLE if paper["listing_date"] == "2026-06-30")
ATTACKS = "\n\n".join(
    (
        "<script>alert('x')</script>",
        '<img src=x onerror="alert(1)">',
        "[click me](javascript:alert(1))",
        '<a href="javascript:alert(2)">raw link</a>',
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        '<iframe src="https://evil.example"></iframe>',
        "**bold** and [a real link](https://example.org/paper)",
    )
)


def comment(reader: Reader, body: str, parent_id: int | None = None) -> httpx.Response:
    data = {"body": body} | ({"parent_id": str(parent_id)} if parent_id else {})
    return reader.submit(f"/papers/{PAPER}", f"/papers/{PAPER}/comments", data)


def comment_id(response: httpx.Response) -> int:
    match = re.search(r"#comment-(\d+)$", response.headers["location"])
    assert match, response.headers.get("location")
    return int(match.group(1))


def num_comments(server: LiveServer) -> int:
    items = httpx.get(f"{server.url}/api/daily_papers?date=2026-06-30").json()
    count: int = next(item["numComments"] for item in items if item["id"] == PAPER)
    return count


class Elements(HTMLParser):
    """Every element and attribute a browser would build from some HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    for tag, attributes in Elements(html).found:
        assert tag in {"p", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
        assert not any(name.startswith("on") for name in attributes), attributes
        if tag == "a":
            assert (attributes["href"] or "").startswith(("https://", "http://", "mailto:"))
            assert attributes["rel"] == "nofollow ugc"


def test_markdown_subset_is_rendered_and_script_is_inert() -> None:
    html = render_markdown(ATTACKS)
    assert_inert(html)
    assert [tag for tag, _ in Elements(html).found].count("a") == 1, "only the https link"
    assert "&lt;script&gt;" in html, "raw HTML shows as text"
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org/paper" rel="nofollow ugc">a real link</a>' in html
    assert render_markdown("- one\n- two\n\n> quoted `code`") == (
        "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<blockquote>\n<p>quoted <code>code</code>"
        "</p>\n</blockquote>\n"
    )
    assert "<h1>" not in render_markdown("# Not a heading"), "headings are not in the subset"


def test_a_hostile_comment_renders_inert_on_the_page(site: LiveServer) -> None:
    make_user(site.engine, "mallory")
    mallory = signed_in(site.url, "mallory")
    response = comment(mallory, ATTACKS)
    assert response.status_code == 303
    page = httpx.get(f"{site.url}/papers/{PAPER}")
    body = page.text[page.text.index('<div class="comment-body') :]
    body = body[body.index(">") + 1 : body.index("</div>")]
    assert_inert(body)
    assert "&lt;script&gt;alert" in body and "a real link</a>" in body
    assert "script-src 'self'" in page.headers["content-security-policy"], (
        "and the page's policy would block inline script anyway"
    )


def test_discussion_with_replies_edits_and_deletes(site: LiveServer) -> None:
    for name in ("ada", "bob"):
        make_user(site.engine, name)
    ada, bob = signed_in(site.url, "ada"), signed_in(site.url, "bob")
    first = comment_id(comment(ada, "Does the *method* scale?"))
    reply = comment_id(comment(bob, "It does, see table 3.", parent_id=first))
    nested = comment_id(comment(ada, "Thanks!", parent_id=reply))
    assert num_comments(site) == 3
    papers = HfApi(endpoint=site.url).list_daily_papers(date="2026-06-30")
    assert next(paper for paper in papers if paper.id == PAPER).comments == 3

    threads = httpx.get(f"{site.url}/api/papers/{PAPER}/comments").json()
    assert [thread["id"] for thread in threads] == [first]
    assert [r["id"] for r in threads[0]["replies"]] == [reply, nested], "one level deep"
    assert threads[0]["html"] == "<p>Does the <em>method</em> scale?</p>\n"

    edit_page = ada.get(f"/comments/{first}/edit")
    assert edit_page.status_code == 200 and "Does the *method* scale?" in edit_page.text
    saved = ada.submit(
        f"/comments/{first}/edit", f"/comments/{first}/edit", {"body": "Does it scale to 1B?"}
    )
    assert saved.status_code == 303
    page = httpx.get(f"{site.url}/papers/{PAPER}").text
    assert "Does it scale to 1B?" in page and "· edited" in page

    deleted = ada.submit(f"/papers/{PAPER}", f"/comments/{first}/delete", {})
    assert deleted.status_code == 303
    assert num_comments(site) == 2
    page = httpx.get(f"{site.url}/papers/{PAPER}").text
    assert "[deleted]" in page and "It does, see table 3." in page, "replies keep their place"
    again = ada.submit(f"/papers/{PAPER}", f"/comments/{first}/delete", {})
    assert again.status_code == 404
    assert num_comments(site) == 2, "deleting twice counts once"


def test_nobody_changes_anothers_comment(site: LiveServer) -> None:
    for name in ("ada", "mallory"):
        make_user(site.engine, name)
    ada, mallory = signed_in(site.url, "ada"), signed_in(site.url, "mallory")
    target = comment_id(comment(ada, "My careful review."))
    assert mallory.get(f"/comments/{target}/edit").status_code == 403
    form = {"csrf_token": mallory.token("/account")}
    edit = mallory.http.post(f"/comments/{target}/edit", data=form | {"body": "Defaced"})
    delete = mallory.http.post(f"/comments/{target}/delete", data=form)
    assert edit.status_code == delete.status_code == 403
    assert "only change your own comments" in edit.text

    token_page = mallory.submit("/account", "/account/tokens", {"name": "t"})
    token = re.search(r'id="new-token">(pw_[^<]+)<', token_page.text)
    assert token
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    api_edit = httpx.patch(f"{site.url}/api/comments/{target}", json={"body": "x"}, headers=bearer)
    api_delete = httpx.delete(f"{site.url}/api/comments/{target}", headers=bearer)
    assert api_edit.status_code == api_delete.status_code == 403
    assert "error" in api_edit.json()
    threads = httpx.get(f"{site.url}/api/papers/{PAPER}/comments").json()
    assert threads[0]["body"] == "My careful review."


def test_bad_comments_are_explained_and_kept(site: LiveServer) -> None:
    make_user(site.engine, "ada")
    ada = signed_in(site.url, "ada")
    empty = comment(ada, "   ")
    assert empty.status_code == 400 and "Write something first." in empty.text
    long_text = "word " * 2500
    too_long = comment(ada, long_text)
    assert too_long.status_code == 400 and "at most 10,000 characters" in too_long.text
    assert long_text.strip()[:200] in too_long.text, "the text is given back, not lost"
    orphan = comment(ada, "Hello", parent_id=999_999)
    assert orphan.status_code == 400 and "not on this paper" in orphan.text
    assert num_comments(site) == 0


def test_comments_through_the_api(site: LiveServer) -> None:
    make_user(site.engine, "ada")
    ada = signed_in(site.url, "ada")
    token = re.search(
        r'id="new-token">(pw_[^<]+)<', ada.submit("/account", "/account/tokens", {"name": "t"}).text
    )
    assert token
    bearer = {"Authorization": f"Bearer {token.group(1)}"}
    created = httpx.post(
        f"{site.url}/api/papers/{PAPER}/comments", json={"body": "Via the API"}, headers=bearer
    )
    assert created.status_code == 201 and created.json()["author"] == "ada"
    empty = httpx.post(f"{site.url}/api/papers/{PAPER}/comments", json={"body": ""}, headers=bearer)
    assert empty.status_code == 400 and empty.json() == {"error": "Write something first."}
    assert num_comments(site) == 1
    gone = httpx.delete(f"{site.url}/api/comments/{created.json()['id']}", headers=bearer)
    assert gone.status_code == 204 and num_comments(site) == 0
