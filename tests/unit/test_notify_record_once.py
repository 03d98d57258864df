"""An event's rows are recorded once; a failure that is not a duplicate is raised for a retry."""
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.notify import dispatch
from services.notify.models import Base, ProcessedEvent

pytestmark = pytest.mark.unit

ENVELOPE = {"event_id": "0b0b0b0b-0000-4000-8000-000000000001", "event_type": "ticket_created"}


@pytest.fixture
def session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'notify.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_second_delivery_records_nothing(session):
    first = dispatch.record(session, ENVELOPE, "handle_ticket_created", [], "example.fr")
    second = dispatch.record(session, ENVELOPE, "handle_ticket_created", [], "example.fr")

    assert first == []
    assert second is None
    assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1


def test_other_constraint_failure_raised(session, monkeypatch):
    def failing_store(*_args, **_kwargs):
        raise IntegrityError("INSERT INTO email_delivery ...", {}, Exception("NOT NULL constraint failed"))

    monkeypatch.setattr(dispatch, "_store", failing_store)

    with pytest.raises(IntegrityError):
        dispatch.record(session, ENVELOPE, "handle_ticket_created", [], "example.fr")
    # Nothing stayed behind, so a retry applies the event in full.
    assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 0
