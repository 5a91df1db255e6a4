"""Reading what the relay received: links, paper ids, bodies."""

import re
from email.message import EmailMessage

PAPER_LINK = re.compile(r'href="[^"]*/papers/([^"?#]+)"')


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    content: str = part.get_content()
    return content


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    content: str = part.get_content()
    return content


def paper_ids_in(message: EmailMessage) -> list[str]:
    """The papers a message shows, in order (each card links its paper twice)."""
    return list(dict.fromkeys(PAPER_LINK.findall(html_of(message))))


def link_in(message: EmailMessage, path: str) -> str:
    found = re.search(rf"(https?://[^\s\"<>]+{re.escape(path)}[^\s\"<>]+)", text_of(message))
    assert found, f"no {path} link in the message"
    return found.group(1)


def unsubscribe_url(message: EmailMessage) -> str:
    header = str(message["List-Unsubscribe"])
    assert header.startswith("<") and header.endswith(">")
    return header[1:-1]
