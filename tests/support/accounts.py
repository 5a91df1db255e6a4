"""Users and signed-in HTTP clients for tests, going through the real pages and forms."""

import re
from functools import cache

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from paperwire.accounts.passwords import hash_password
from paperwire.accounts.users import create_user

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@cache
def _password_hash() -> str:
    """Argon2 is slow on purpose; tests share one hash of ``PASSWORD``."""
    return hash_password(PASSWORD)


def make_user(
    engine: Engine,
    username: str,
    *,
    verified: bool = True,
    admin: bool = False,
    email: str | None = None,
) -> int:
    with Session(engine) as session:
        user = create_user(
            session,
            email=email or f"{username}@example.org",
            username=username,
            password_hash=_password_hash(),
            verified=verified,
            is_admin=admin,
        )
        session.commit()
        return user.id


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


class Reader:
    """A browser-like client: keeps cookies, reads CSRF tokens from the pages it submits."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, path: str, **options: object) -> httpx.Response:
        return self.http.get(path, **options)  # type: ignore[arg-type]

    def token(self, page: str = "/signin") -> str:
        return csrf_from(self.http.get(page).text)

    def submit(self, page: str, action: str, data: dict[str, str]) -> httpx.Response:
        """Post a form the way a browser does after loading ``page``."""
        return self.http.post(action, data={**data, "csrf_token": self.token(page)})

    def sign_in(self, login: str, password: str = PASSWORD) -> httpx.Response:
        response = self.submit("/signin", "/signin", {"login": login, "password": password})
        assert response.status_code == 303, response.text[:500]
        return response

    @property
    def session_cookie(self) -> str | None:
        return self.http.cookies.get("paperwire_session")


def signed_in(base_url: str, username: str) -> Reader:
    reader = Reader(base_url)
    reader.sign_in(username)
    return reader
