"""Comments in a small Markdown subset, rendered to HTML that cannot carry script.

Two independent layers: markdown-it-py with raw HTML switched off (so ``<script>``
arrives as text) and images and headings disabled, then nh3 (the Ammonia sanitiser)
keeps only a short list of tags, only http(s)/mailto links, and marks every link
``rel="nofollow ugc"``. markdown-it already refuses ``javascript:`` links; nh3 would
drop them anyway.
"""

import nh3
from markdown_it import MarkdownIt

MAX_COMMENT_LENGTH = 10_000
ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc"

_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(
    ["image", "heading", "lheading", "html_block", "html_inline"]
)


def render_markdown(text: str) -> str:
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )
