"""Messages built from templates: multipart text + HTML with inline CSS, signed links.

HTML mail clients ignore style sheets, so every element carries its own ``style``
(from ``STYLES``) and the layout is one centred column that shrinks to phone width.
A digest run sends thousands of messages that mostly share their papers, so the list
of papers is rendered once per distinct list and only the personal parts per message.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import formatdate, getaddresses

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from paperwire.arxiv_urls import abs_url, pdf_url
from paperwire.config import Settings
from paperwire.mail.mime import OutgoingMail, multipart_alternative
from paperwire.mail.subscriptions import describe
from paperwire.mail.tokens import LinkSigner
from paperwire.store.schema import Paper, Subscription
from paperwire.web.templating import short_authors

ABSTRACT_CHARACTERS = 320
DEFAULT_BASE_URL = "http://127.0.0.1:8000"

STYLES = {
    "body": "margin:0;padding:0;background:#f3f4f6;",
    "outer": "width:100%;background:#f3f4f6;padding:16px 0;",
    "column": (
        "width:100%;max-width:600px;margin:0 auto;background:#ffffff;border:1px solid #e5e7eb;"
        "border-radius:12px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,"
        "sans-serif;color:#111827;"
    ),
    "header": "padding:20px 24px 8px;border-bottom:1px solid #e5e7eb;",
    "brand": "font-size:14px;font-weight:700;color:#4f46e5;text-decoration:none;",
    "heading": "font-size:22px;line-height:1.3;margin:8px 0 4px;color:#111827;",
    "intro": "font-size:14px;line-height:1.5;color:#6b7280;margin:0 0 8px;",
    "paper": "padding:16px 24px;border-bottom:1px solid #f0f1f3;",
    "title": "font-size:17px;line-height:1.35;font-weight:600;color:#111827;text-decoration:none;",
    "authors": "font-size:13px;line-height:1.45;color:#6b7280;margin:4px 0 6px;",
    "abstract": "font-size:14px;line-height:1.55;color:#374151;margin:0 0 8px;",
    "links": "font-size:13px;line-height:1.4;margin:0;color:#9ca3af;",
    "link": "color:#4f46e5;text-decoration:none;",
    "code": "color:#047857;font-weight:600;text-decoration:none;",
    "more": "padding:16px 24px;font-size:14px;",
    "button": (
        "display:inline-block;background:#4f46e5;color:#ffffff;text-decoration:none;"
        "font-weight:600;font-size:15px;padding:10px 18px;border-radius:8px;"
    ),
    "text": "font-size:15px;line-height:1.55;color:#374151;margin:0 0 14px;",
    "content": "padding:16px 24px 8px;",
    "footer": "padding:16px 24px 20px;font-size:12px;line-height:1.5;color:#6b7280;",
    "footer_link": "color:#6b7280;text-decoration:underline;",
}


@dataclass(frozen=True)
class MailPaper:
    """What a message shows of a paper, detached from any database session."""

    arxiv_id: str
    title: str
    authors: str
    abstract: str
    page_url: str
    abs_url: str
    pdf_url: str
    code_url: str | None

    @classmethod
    def of(cls, paper: Paper, base_url: str) -> "MailPaper":
        return cls(
            arxiv_id=paper.arxiv_id,
            title=" ".join(paper.title.split()),
            authors=short_authors(paper.authors),
            abstract=shorten(paper.abstract),
            page_url=f"{base_url}/papers/{paper.arxiv_id}",
            abs_url=abs_url(paper.arxiv_id),
            pdf_url=pdf_url(paper.arxiv_id),
            code_url=paper.code_urls[0] if paper.code_urls else None,
        )


@dataclass(frozen=True)
class Recipient:
    """The personal part of a message: who gets it, for which subscription."""

    subscription_id: int
    email: str
    kind: str
    target: str


@dataclass(frozen=True)
class DigestContent:
    subject: str
    heading: str
    intro: str
    papers: Sequence[MailPaper]
    total: int
    more_url: str | None = None
    more_label: str = ""


def shorten(text: str, limit: int = ABSTRACT_CHARACTERS) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def mail_base_url(settings: Settings) -> str:
    return (settings.base_url or DEFAULT_BASE_URL).rstrip("/")


def mail_domain(settings: Settings) -> str:
    addresses = getaddresses([settings.mail_from])
    address = addresses[0][1] if addresses else ""
    return address.rpartition("@")[2] or "localhost"


class MailComposer:
    def __init__(self, settings: Settings, signer: LinkSigner, base_url: str | None = None) -> None:
        self.settings = settings
        self.signer = signer
        self.base_url = (base_url or mail_base_url(settings)).rstrip("/")
        self.domain = mail_domain(settings)
        self.env = Environment(
            loader=PackageLoader("paperwire.mail", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(s=STYLES, site_name=settings.site_name, base_url=self.base_url)
        self._paper_blocks: dict[tuple[str, ...], tuple[Markup, str]] = {}

    # ---- links --------------------------------------------------------------------------

    def unsubscribe_url(self, subscription_id: int, email: str) -> str:
        token = self.signer.unsubscribe_token(subscription_id, email)
        return f"{self.base_url}/subscriptions/unsubscribe/{token}"

    def manage_url(self, email: str) -> str:
        return f"{self.base_url}/subscriptions/manage/{self.signer.manage_token(email)}"

    def confirm_url(self, subscription_id: int, email: str) -> str:
        token = self.signer.confirm_token(subscription_id, email)
        return f"{self.base_url}/subscriptions/confirm/{token}"

    def message_id(self, subscription_id: int, period: str) -> str:
        """The same for every attempt at one outbox row, so a duplicate is recognisable."""
        salt = hashlib.blake2b(
            f"{self.signer.key}:{subscription_id}:{period}".encode(), digest_size=5
        ).hexdigest()
        return f"<paperwire.{subscription_id}.{period}.{salt}@{self.domain}>"

    # ---- messages -----------------------------------------------------------------------

    def confirmation(self, subscription: Subscription) -> OutgoingMail:
        context = {
            "description": describe(subscription.kind, subscription.target),
            "confirm_url": self.confirm_url(subscription.id, subscription.email),
            "manage_url": self.manage_url(subscription.email),
            "hours": round(self.settings.confirm_link_hours),
        }
        subject = f"Confirm your {self.settings.site_name} subscription"
        return self._message(subscription.email, subject, "confirm", context)

    def manage_link(self, email: str) -> OutgoingMail:
        context = {"manage_url": self.manage_url(email)}
        subject = f"Your {self.settings.site_name} subscriptions"
        return self._message(email, subject, "manage", context)

    def digest(self, recipient: Recipient, period: str, content: DigestContent) -> OutgoingMail:
        papers_html, papers_text = self._papers(content.papers)
        unsubscribe_url = self.unsubscribe_url(recipient.subscription_id, recipient.email)
        context = {
            "content": content,
            "papers_html": papers_html,
            "papers_text": papers_text,
            "description": describe(recipient.kind, recipient.target),
            "email": recipient.email,
            "unsubscribe_url": unsubscribe_url,
            "manage_url": self.manage_url(recipient.email),
        }
        kind = recipient.kind
        list_headers = [
            ("Message-ID", self.message_id(recipient.subscription_id, period)),
            ("List-Id", f"{self.settings.site_name} {kind} <{kind}.{self.domain}>"),
            ("List-Unsubscribe", f"<{unsubscribe_url}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("Auto-Submitted", "auto-generated"),
        ]
        return self._message(recipient.email, content.subject, "digest", context, list_headers)

    def _papers(self, papers: Sequence[MailPaper]) -> tuple[Markup, str]:
        key = tuple(paper.arxiv_id for paper in papers)
        block = self._paper_blocks.get(key)
        if block is None:
            html = Markup(self.env.get_template("_papers.html").render(papers=papers))
            text = self.env.get_template("_papers.txt").render(papers=papers)
            block = self._paper_blocks[key] = (html, text)
        return block

    def _message(
        self,
        to: str,
        subject: str,
        template: str,
        context: Mapping[str, object],
        extra_headers: Sequence[tuple[str, str]] = (),
    ) -> OutgoingMail:
        headers = [
            ("From", self.settings.mail_from),
            ("To", to),
            ("Subject", subject),
            ("Date", formatdate(usegmt=True)),
            *extra_headers,
        ]
        text = self.env.get_template(f"{template}.txt").render(subject=subject, **context)
        html = self.env.get_template(f"{template}.html").render(subject=subject, **context)
        return multipart_alternative(self.settings.mail_from, to, headers, text, html)
