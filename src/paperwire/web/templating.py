"""Jinja2 set-up shared by every page: filters and globals that templates rely on."""

from importlib import resources
from pathlib import Path

from fastapi.templating import Jinja2Templates

from paperwire import __version__
from paperwire.arxiv_urls import abs_url, pdf_url
from paperwire.categories import category_name
from paperwire.config import Settings
from paperwire.web.security import csrf_token

TEMPLATES_DIR = Path(str(resources.files("paperwire.web") / "templates"))


def short_authors(authors: list[str], limit: int = 6) -> str:
    if len(authors) <= limit:
        return ", ".join(authors)
    return ", ".join(authors[:limit]) + f" and {len(authors) - limit} more"


def make_templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    env = templates.env
    env.globals.update(
        site_name=settings.site_name,
        asset_version=__version__,
        abs_url=abs_url,
        pdf_url=pdf_url,
        category_name=category_name,
        csrf_token=csrf_token,
    )
    env.filters["short_authors"] = short_authors
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.auto_reload = False  # templates ship with the package; no stat() per include

    return templates
