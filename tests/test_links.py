from paperwire.links import find_links


def test_splits_code_repositories_from_project_pages() -> None:
    links = find_links(
        "We release code at https://github.com/Kartik-3004/FaceMoE.",
        "ECCV 2026, Project Page: https://kartik-3004.github.io/FaceMoE/",
    )
    assert links.code == ["https://github.com/Kartik-3004/FaceMoE"]
    assert links.project == ["https://kartik-3004.github.io/FaceMoE/"]


def test_finds_scheme_less_forge_links_and_strips_punctuation() -> None:
    links = find_links("Code (github.com/org/repo), data at huggingface.co/datasets/org/set;")
    assert links.code == [
        "https://github.com/org/repo",
        "https://huggingface.co/datasets/org/set",
    ]


def test_ignores_arxiv_doi_and_forge_front_pages() -> None:
    links = find_links(
        "See https://arxiv.org/abs/2401.00001 and https://doi.org/10.1/x and https://github.com/org"
    )
    assert links.code == []
    assert links.project == ["https://github.com/org"]


def test_keeps_balanced_parentheses_and_lists_each_url_once() -> None:
    text = (
        "https://en.wikipedia.org/wiki/Foo_(bar) and again https://en.wikipedia.org/wiki/Foo_(bar)."
    )
    assert find_links(text).project == ["https://en.wikipedia.org/wiki/Foo_(bar)"]


def test_nothing_in_plain_text() -> None:
    links = find_links("A plain abstract without any address.", None)
    assert (links.code, links.project) == ([], [])
