"""Collections and profiles: private and public lists, exports, and who may see what."""

import csv
import io
import re

import httpx

from support.accounts import Reader, make_user, signed_in
from support.samples import SAMPLE
from support.server import LiveServer

FIRST, SECOND = SAMPLE[0], SAMPLE[1]


def new_collection(reader: Reader, name: str, *, public: bool, paper: str = "") -> int:
    data = {"name": name, "description": f"About {name}"}
    if public:
        data["is_public"] = "true"
    if paper:
        data["paper"] = paper
        response = reader.submit(f"/papers/{paper}", "/collections", data)
        assert response.headers["location"] == f"/papers/{paper}#collections"
        match = re.search(
            r'href="/collections/(\d+)">' + re.escape(name), reader.get(f"/papers/{paper}").text
        )
    else:
        response = reader.submit("/collections", "/collections", data)
        match = re.search(r"/collections/(\d+)$", response.headers["location"])
    assert match
    return int(match.group(1))


def add(reader: Reader, collection_id: int, arxiv_id: str, action: str = "add") -> None:
    response = reader.submit(
        f"/papers/{arxiv_id}",
        f"/collections/{collection_id}/papers",
        {"paper": arxiv_id, "action": action},
    )
    assert response.status_code == 303


def test_collect_from_paper_pages_and_export(site: LiveServer) -> None:
    make_user(site.engine, "ada")
    ada = signed_in(site.url, "ada")
    reading = new_collection(ada, "Reading group", public=True, paper=FIRST["id"])
    add(ada, reading, SECOND["id"])
    paper_page = ada.get(f"/papers/{SECOND['id']}").text
    assert "✓ Remove" in paper_page, "the paper page shows it is in the collection"

    public_page = httpx.get(f"{site.url}/collections/{reading}").text
    assert "Reading group" in public_page and "About Reading group" in public_page
    assert public_page.index(SECOND["id"]) < public_page.index(FIRST["id"]), "last added first"

    bibtex = httpx.get(f"{site.url}/collections/{reading}.bib")
    assert bibtex.headers["content-type"].startswith("application/x-bibtex")
    assert bibtex.text.count("@misc{") == 2
    assert f"eprint = {{{FIRST['id']}}}" in bibtex.text

    exported = httpx.get(f"{site.url}/collections/{reading}.csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["arxiv_id"] for row in rows] == [SECOND["id"], FIRST["id"]]
    assert rows[1]["title"] == FIRST["title"]
    assert rows[1]["authors"] == "; ".join(FIRST["authors"])
    assert rows[1]["url"] == f"https://arxiv.org/abs/{FIRST['id']}"

    add(ada, reading, FIRST["id"], action="remove")
    rows = list(
        csv.DictReader(io.StringIO(httpx.get(f"{site.url}/collections/{reading}.csv").text))
    )
    assert [row["arxiv_id"] for row in rows] == [SECOND["id"]]


def test_private_collections_stay_private(site: LiveServer) -> None:
    for name in ("ada", "mallory"):
        make_user(site.engine, name)
    ada, mallory = signed_in(site.url, "ada"), signed_in(site.url, "mallory")
    secret = new_collection(ada, "Secret plans", public=False)
    add(ada, secret, FIRST["id"])
    assert ada.get(f"/collections/{secret}").status_code == 200

    for path in (
        f"/collections/{secret}",
        f"/collections/{secret}.bib",
        f"/collections/{secret}.csv",
    ):
        assert mallory.get(path).status_code == 404, path
        assert httpx.get(site.url + path).status_code == 404, path
    assert "Secret plans" not in mallory.get(f"/collections/{secret}").text
    assert "Secret plans" not in httpx.get(f"{site.url}/users/ada").text
    assert "Secret plans" in ada.get("/users/ada").text, "the owner sees it on their profile"

    form = {"csrf_token": mallory.token("/account")}
    meddle = mallory.http.post(
        f"/collections/{secret}/papers", data=form | {"paper": SECOND["id"], "action": "add"}
    )
    assert meddle.status_code == 404
    rename = mallory.http.post(f"/collections/{secret}", data=form | {"name": "Mine now"})
    assert rename.status_code == 404
    assert mallory.http.post(f"/collections/{secret}/delete", data=form).status_code == 404
    assert ada.get(f"/collections/{secret}.csv").text.count("\n") == 2, "header and one paper"


def test_making_a_collection_public_and_deleting_it(site: LiveServer) -> None:
    make_user(site.engine, "ada")
    ada = signed_in(site.url, "ada")
    notes = new_collection(ada, "Notes", public=False)
    duplicate = ada.submit("/collections", "/collections", {"name": "Notes"})
    assert duplicate.status_code == 400 and "called “Notes” already" in duplicate.text
    assert httpx.get(f"{site.url}/collections/{notes}").status_code == 404
    saved = ada.submit(
        f"/collections/{notes}",
        f"/collections/{notes}",
        {"name": "Notes on RL", "description": "", "is_public": "true"},
    )
    assert saved.status_code == 303
    assert "Notes on RL" in httpx.get(f"{site.url}/collections/{notes}").text
    assert "Notes on RL" in httpx.get(f"{site.url}/users/ada").text
    ada.submit(f"/collections/{notes}", f"/collections/{notes}/delete", {})
    assert httpx.get(f"{site.url}/collections/{notes}").status_code == 404


def test_profiles_show_upvotes_only_when_chosen(site: LiveServer) -> None:
    for name in ("ada", "bob"):
        make_user(site.engine, name)
    ada = signed_in(site.url, "ada")
    ada.http.post(
        f"/papers/{FIRST['id']}/upvote",
        headers={"Accept": "application/json", "X-CSRF-Token": ada.token("/")},
    )
    profile = httpx.get(f"{site.url}/users/ada")
    assert profile.status_code == 200 and "Upvoted" not in profile.text
    assert FIRST["title"] in ada.get("/users/ada").text, "you always see your own"
    ada.submit("/account", "/account/profile", {"display_name": "Ada", "show_upvotes": "true"})
    shown = httpx.get(f"{site.url}/users/ada").text
    assert "Upvoted" in shown and FIRST["title"] in shown
    assert httpx.get(f"{site.url}/users/nobody").status_code == 404


def test_collections_through_the_api(site: LiveServer) -> None:
    make_user(site.engine, "ada")
    ada = signed_in(site.url, "ada")
    page = ada.submit("/account", "/account/tokens", {"name": "t"}).text
    bearer = {"Authorization": "Bearer " + page.split('id="new-token">')[1].split("<")[0]}
    created = httpx.post(
        f"{site.url}/api/collections", json={"name": "API list", "public": True}, headers=bearer
    )
    assert created.status_code == 201
    collection = created.json()["id"]
    url = f"{site.url}/api/collections/{collection}/papers/{FIRST['id']}"
    assert httpx.put(url, headers=bearer).json() == {"changed": True}
    assert httpx.put(url, headers=bearer).json() == {"changed": False}
    listed = httpx.get(f"{site.url}/api/collections", headers=bearer).json()
    assert listed == [{"id": collection, "name": "API list", "public": True, "numPapers": 1}]
    assert httpx.delete(url, headers=bearer).json() == {"changed": True}
