"""TOTP codes, replay rejection and single-use recovery codes of the second factor."""
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.auth import second_factor, totp
from services.auth.models import Base, Organisation, RecoveryCode, SecondFactor, User

pytestmark = pytest.mark.unit

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MOMENT = datetime(2026, 12, 4, 12, 0, 10, tzinfo=timezone.utc)
STEP = timedelta(seconds=30)


def code_at(moment):
    return pyotp.TOTP(SECRET).at(moment)


def test_code_accepted_within_one_step_either_side():
    current = totp.time_step(SECRET, MOMENT)

    assert totp.accepted_time_step(SECRET, code_at(MOMENT), None, MOMENT) == current
    assert totp.accepted_time_step(SECRET, code_at(MOMENT - STEP), None, MOMENT) == current - 1
    assert totp.accepted_time_step(SECRET, code_at(MOMENT + STEP), None, MOMENT) == current + 1


def test_code_rejected_two_steps_away():
    assert totp.accepted_time_step(SECRET, code_at(MOMENT - 2 * STEP), None, MOMENT) is None
    assert totp.accepted_time_step(SECRET, code_at(MOMENT + 2 * STEP), None, MOMENT) is None


def test_code_rejected_when_replayed():
    step = totp.accepted_time_step(SECRET, code_at(MOMENT), None, MOMENT)

    assert totp.accepted_time_step(SECRET, code_at(MOMENT), step, MOMENT) is None
    assert totp.accepted_time_step(SECRET, code_at(MOMENT - STEP), step, MOMENT) is None
    assert totp.accepted_time_step(SECRET, code_at(MOMENT + STEP), step, MOMENT) == step + 1


def test_code_typed_with_spaces_is_accepted():
    code = code_at(MOMENT)

    assert totp.accepted_time_step(SECRET, f" {code[:3]} {code[3:]} ", None, MOMENT) is not None


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12a456"])
def test_malformed_code_is_rejected(typed):
    assert totp.accepted_time_step(SECRET, typed, None, MOMENT) is None


def test_recovery_codes_are_distinct_and_grouped():
    codes = totp.new_recovery_codes()

    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        groups = code.split("-")
        assert [len(group) for group in groups] == [4, 4, 4, 4]
        assert set(code.replace("-", "")) <= set(totp.RECOVERY_ALPHABET)


def test_recovery_code_digest_ignores_case_and_separators():
    assert totp.recovery_code_digest("abcd-efgh-jkmn-pqrs") == totp.recovery_code_digest("ABCDEFGH JKMNPQRS")


def test_provisioning_uri_names_issuer_and_account():
    uri = totp.provisioning_uri(SECRET, "cbernard@eksae.example.fr", "Portail client")

    assert uri.startswith("otpauth://totp/Portail%20client:cbernard%40eksae.example.fr?")
    assert f"secret={SECRET}" in uri
    assert "issuer=Portail%20client" in uri


def test_qr_code_is_inline_svg():
    svg = totp.qr_code_svg("otpauth://totp/x?secret=" + SECRET, "QR code")

    assert svg.startswith("<svg")
    assert "<title>QR code</title>" in svg
    assert "<?xml" not in svg
    assert "http" not in svg.split(">", 1)[0]


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as db:
        db.add(Organisation(id="org", name="Eksaé"))
        db.add(User(id="user", organisation_id="org", email="agent@example.fr"))
        db.add(SecondFactor(user_id="user", secret=SECRET, enabled_at=MOMENT))
        db.commit()
        yield db
    engine.dispose()


def test_accept_code_rejects_replay(session):
    factor = session.get(SecondFactor, "user")

    first = second_factor.accept_code(session, factor, code_at(MOMENT), MOMENT)
    session.commit()
    replay = second_factor.accept_code(session, factor, code_at(MOMENT), MOMENT)

    assert first == "totp"
    assert session.get(SecondFactor, "user").last_time_step == totp.time_step(SECRET, MOMENT)
    assert replay is None


def test_recovery_code_works_once(session):
    codes = second_factor.replace_recovery_codes(session, "user")
    session.commit()
    factor = session.get(SecondFactor, "user")

    first = second_factor.accept_code(session, factor, codes[3].lower(), MOMENT)
    session.commit()
    again = second_factor.accept_code(session, factor, codes[3], MOMENT)
    other = second_factor.accept_code(session, factor, codes[4], MOMENT)

    assert first == "recovery"
    assert again is None
    assert other == "recovery"


def test_replaced_recovery_codes_stop_working(session):
    old = second_factor.replace_recovery_codes(session, "user")
    session.commit()
    second_factor.replace_recovery_codes(session, "user")
    session.commit()
    factor = session.get(SecondFactor, "user")

    assert second_factor.accept_code(session, factor, old[0], MOMENT) is None
    assert session.query(RecoveryCode).filter_by(user_id="user").count() == 10
