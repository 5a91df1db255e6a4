"""A searchable sample: the 36 real papers, embedded by the real model, indexed."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from paperwire.config import Settings
from paperwire.search.hybrid import SearchService, open_search
from paperwire.search.vectors import embed_papers
from support.search import shared_embedder
from support.server import LiveServer, running_server


@pytest.fixture
def search_settings(database_url: str, search_index_dir: Path) -> Settings:
    return Settings(database_url=database_url, search_index_dir=search_index_dir)


@pytest.fixture
def indexed_engine(sample_engine: Engine) -> Engine:
    embed_papers(sample_engine, shared_embedder())
    return sample_engine


@pytest.fixture
def service(indexed_engine: Engine, search_settings: Settings) -> SearchService:
    service = open_search(search_settings, indexed_engine)
    service.index.sync(indexed_engine)
    return service


@pytest.fixture
def search_server(service: SearchService, database_url: str) -> Iterator[LiveServer]:
    with running_server(service.engine, database_url) as server:
        yield server
