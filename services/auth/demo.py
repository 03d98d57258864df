"""Demo data of the auth service."""
from sqlalchemy.orm import Session


def is_loaded(session: Session) -> bool:
    return True


def load(session: Session) -> None:
    pass
