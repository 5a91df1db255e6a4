"""Collections: a user's named reading lists, private unless made public."""

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from paperwire.store.schema import Collection, CollectionItem, Paper, PaperActivity

ITEMS: Table = CollectionItem.__table__  # type: ignore[assignment]
MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 2000


class CollectionError(ValueError):
    """A collection change that cannot be made; the message says why."""


def _clean_name(name: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise CollectionError("Give the collection a name.")
    if len(text) > MAX_NAME_LENGTH:
        raise CollectionError(f"Names can be at most {MAX_NAME_LENGTH} characters long.")
    return text


def _name_taken(session: Session, user_id: int, name: str, except_id: int | None = None) -> bool:
    statement = select(Collection.id).where(Collection.user_id == user_id, Collection.name == name)
    if except_id is not None:
        statement = statement.where(Collection.id != except_id)
    return session.scalar(statement) is not None


def create_collection(
    session: Session, user_id: int, name: str, *, description: str = "", is_public: bool = False
) -> Collection:
    clean = _clean_name(name)
    if _name_taken(session, user_id, clean):
        raise CollectionError(f"You have a collection called “{clean}” already.")
    now = datetime.now(UTC)
    collection = Collection(
        user_id=user_id,
        name=clean,
        description=description.strip()[:MAX_DESCRIPTION_LENGTH],
        is_public=is_public,
        created_at=now,
        updated_at=now,
    )
    session.add(collection)
    session.flush()
    return collection


def update_collection(
    session: Session, collection: Collection, *, name: str, description: str, is_public: bool
) -> None:
    clean = _clean_name(name)
    if _name_taken(session, collection.user_id, clean, except_id=collection.id):
        raise CollectionError(f"You have a collection called “{clean}” already.")
    collection.name = clean
    collection.description = description.strip()[:MAX_DESCRIPTION_LENGTH]
    collection.is_public = is_public
    collection.updated_at = datetime.now(UTC)


def visible_collection(
    session: Session, collection_id: int, viewer_id: int | None
) -> Collection | None:
    """A collection its owner may see, or anyone if it is public; else None (never 'private')."""
    collection = session.get(Collection, collection_id)
    if collection is None:
        return None
    if collection.is_public or collection.user_id == viewer_id:
        return collection
    return None


def user_collections(
    session: Session, user_id: int, *, public_only: bool = False
) -> list[tuple[Collection, int]]:
    """A user's collections with how many papers each holds, most recently changed first."""
    count = func.count(CollectionItem.paper_id)
    statement = (
        select(Collection, count)
        .outerjoin(CollectionItem, CollectionItem.collection_id == Collection.id)
        .where(Collection.user_id == user_id)
        .group_by(Collection.id)
        .order_by(Collection.updated_at.desc(), Collection.id.desc())
    )
    if public_only:
        statement = statement.where(Collection.is_public.is_(True))
    return [(collection, papers) for collection, papers in session.execute(statement)]


def collection_papers(session: Session, collection_id: int) -> Sequence[Paper]:
    """The papers of a collection, last added first; hidden papers are left out."""
    hidden = select(PaperActivity.paper_id).where(PaperActivity.hidden_at.is_not(None))
    return session.scalars(
        select(Paper)
        .join(CollectionItem, CollectionItem.paper_id == Paper.id)
        .where(CollectionItem.collection_id == collection_id, Paper.id.not_in(hidden))
        .order_by(CollectionItem.added_at.desc(), Paper.arxiv_id)
    ).all()


def add_paper(session: Session, collection: Collection, paper_id: int) -> bool:
    """True if added, False if it was there already."""
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    now = datetime.now(UTC)
    result = connection.execute(
        dialect.insert(ITEMS)
        .values(collection_id=collection.id, paper_id=paper_id, added_at=now)
        .on_conflict_do_nothing(index_elements=["collection_id", "paper_id"])
        .returning(ITEMS.c.paper_id)
    )
    collection.updated_at = now
    return result.first() is not None


def remove_paper(session: Session, collection: Collection, paper_id: int) -> bool:
    result = session.execute(
        delete(ITEMS)
        .where(ITEMS.c.collection_id == collection.id, ITEMS.c.paper_id == paper_id)
        .returning(ITEMS.c.paper_id)
    )
    collection.updated_at = datetime.now(UTC)
    return result.first() is not None


def collections_with_paper(
    session: Session, user_id: int, paper_id: int
) -> list[tuple[Collection, bool]]:
    """Each of the user's collections, and whether it holds the paper (for the paper page)."""
    holding = set(
        session.scalars(
            select(CollectionItem.collection_id)
            .join(Collection, Collection.id == CollectionItem.collection_id)
            .where(Collection.user_id == user_id, CollectionItem.paper_id == paper_id)
        )
    )
    return [
        (collection, collection.id in holding)
        for collection, _ in user_collections(session, user_id)
    ]
