"""The TOTP second factor through the gateway: enrolment, the second sign-in step, recovery codes,
throttling, and the requirement that admins can set for staff."""
import json
import time

import pyotp
import pytest

from tests.integration.auth_helpers import DEMO_PASSWORD, NEW_ACCOUNT_PASSWORD, NewAccounts, error_codes, run_sql

PASSWORD = NEW_ACCOUNT_PASSWORD

pytestmark = pytest.mark.integration

LOGIN = """mutation($input: LoginInput!) { login(input: $input) {
    user { email } mustChangePassword secondFactorRequired secondFactorChallenge secondFactorChallengeExpiresAt
    mustEnrolSecondFactor } }"""
VERIFY = """mutation($input: VerifySecondFactorInput!) { verifySecondFactor(input: $input) {
    user { email } secondFactorRequired mustEnrolSecondFactor } }"""
START = "mutation { startSecondFactorEnrolment { enrolment { secret otpauthUri qrCodeSvg } } }"
CONFIRM = """mutation($input: SecondFactorCodeInput!) { confirmSecondFactorEnrolment(input: $input) {
    recoveryCodes } }"""
REGENERATE = """mutation($input: SecondFactorCodeInput!) { regenerateRecoveryCodes(input: $input) {
    recoveryCodes } }"""
DISABLE = """mutation($input: DisableSecondFactorInput!) { disableSecondFactor(input: $input) { user { email } } }"""
ME = "{ me { secondFactorEnabled secondFactorEnabledAt recoveryCodesLeft mustEnrolSecondFactor user { email } } }"
SETTINGS = "{ securitySettings { secondFactorRequiredForStaff updatedBy { email } } }"
UPDATE_SETTINGS = """mutation($input: UpdateSecuritySettingsInput!) { updateSecuritySettings(input: $input) {
    securitySettings { secondFactorRequiredForStaff updatedBy { email } } } }"""
AUDIT = """query($userId: ID) { securityAuditLog(userId: $userId, first: 50) {
    edges { node { action details user { email } actor { email } } } } }"""
TICKETS = "{ tickets(first: 1) { totalCount } }"


def signed_in(system, email, password):
    client = system.client()
    client.login(email, password)
    return client


def code(secret, steps_ahead=0):
    """Return the code of the current time step, or of a later one (accepted one step ahead)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def allow_code_reuse(system, email):
    """Forget the last accepted time step, so that a test may use the current code once more."""
    run_sql(system, "UPDATE second_factor SET last_time_step = NULL WHERE user_id = "
                    "(SELECT id FROM user_account WHERE email = :email)", email=email)


def enrol(client):
    """Enable the second factor of the client's account; return (secret, recovery codes)."""
    enrolment = client.data(START)["startSecondFactorEnrolment"]["enrolment"]
    codes = client.data(CONFIRM, {"input": {"code": code(enrolment["secret"])}})
    return enrolment["secret"], codes["confirmSecondFactorEnrolment"]["recoveryCodes"]


def password_step(system, email, password=PASSWORD):
    client = system.client()
    result = client.data(LOGIN, {"input": {"email": email, "password": password}})["login"]
    return client, result


def audit_actions(system, user_id):
    admin = signed_in(system, "aroux@eksae.example.fr", DEMO_PASSWORD)
    entries = admin.data(AUDIT, {"userId": user_id})["securityAuditLog"]["edges"]
    return [edge["node"]["action"] for edge in entries]


@pytest.fixture
def accounts(system):
    made = NewAccounts(system)
    yield made
    made.deactivate_all()


@pytest.fixture
def enrolled(system, accounts):
    """A new agent with the second factor enabled: (user id, email, secret, recovery codes)."""
    user_id, email = accounts.create()
    secret, recovery_codes = enrol(signed_in(system, email, PASSWORD))
    return user_id, email, secret, recovery_codes


def test_enrolment_returns_secret_uri_and_qr_code(system, accounts):
    _, email = accounts.create()
    client = signed_in(system, email, PASSWORD)

    first = client.data(START)["startSecondFactorEnrolment"]["enrolment"]
    again = client.data(START)["startSecondFactorEnrolment"]["enrolment"]
    before = client.data(ME)["me"]

    assert first["secret"] == again["secret"]
    assert first["otpauthUri"].startswith("otpauth://totp/Portail%20client:")
    assert f"secret={first['secret']}" in first["otpauthUri"]
    assert first["qrCodeSvg"].startswith("<svg")
    assert before["secondFactorEnabled"] is False
    assert before["recoveryCodesLeft"] == 0


def test_confirm_enables_and_returns_recovery_codes(system, accounts):
    user_id, email = accounts.create()
    client = signed_in(system, email, PASSWORD)
    secret = client.data(START)["startSecondFactorEnrolment"]["enrolment"]["secret"]

    wrong = client.execute(CONFIRM, {"input": {"code": "000000" if code(secret) != "000000" else "111111"}})
    codes = client.data(CONFIRM, {"input": {"code": code(secret)}})["confirmSecondFactorEnrolment"]["recoveryCodes"]
    me = client.data(ME)["me"]
    restart = client.execute(START)

    assert error_codes(wrong) == ["INVALID_SECOND_FACTOR_CODE"]
    assert len(codes) == 10
    assert me["secondFactorEnabled"] is True
    assert me["secondFactorEnabledAt"]
    assert me["recoveryCodesLeft"] == 10
    assert error_codes(restart) == ["CONFLICT"]
    actions = audit_actions(system, user_id)
    assert "SECOND_FACTOR_ENABLED" in actions
    assert "SECOND_FACTOR_FAILED" in actions


def test_password_alone_opens_no_session(system, enrolled):
    _, email, _, _ = enrolled

    client, result = password_step(system, email)

    assert result["secondFactorRequired"] is True
    assert len(result["secondFactorChallenge"]) >= 40
    assert result["secondFactorChallengeExpiresAt"]
    assert "portail_session" not in client.http.cookies
    assert error_codes(client.execute(ME)) == ["UNAUTHENTICATED"]


def test_code_opens_session_and_cannot_be_replayed(system, enrolled):
    user_id, email, secret, _ = enrolled
    client, result = password_step(system, email)
    # The confirmation used the current step, so the next step's code is the one still valid.
    fresh = code(secret, 1)

    verified = client.data(VERIFY, {"input": {"challenge": result["secondFactorChallenge"], "code": fresh}})
    other, second = password_step(system, email)
    replay = other.execute(VERIFY, {"input": {"challenge": second["secondFactorChallenge"], "code": fresh}})

    assert verified["verifySecondFactor"]["user"]["email"] == email
    assert verified["verifySecondFactor"]["secondFactorRequired"] is False
    assert client.data(ME)["me"]["secondFactorEnabled"] is True
    assert error_codes(replay) == ["INVALID_SECOND_FACTOR_CODE"]
    assert replay["errors"][0]["message"].startswith("Code de vérification incorrect ou déjà utilisé")
    assert "portail_session" not in other.http.cookies
    assert {"LOGIN_SUCCEEDED", "SECOND_FACTOR_FAILED"} <= set(audit_actions(system, user_id))


def test_challenge_is_single_use(system, enrolled):
    _, email, secret, recovery_codes = enrolled
    client, result = password_step(system, email)
    client.data(VERIFY, {"input": {"challenge": result["secondFactorChallenge"], "code": recovery_codes[0]}})

    again = system.client().execute(VERIFY, {"input": {"challenge": result["secondFactorChallenge"],
                                                       "code": recovery_codes[1]}})

    assert error_codes(again) == ["SECOND_FACTOR_CHALLENGE_EXPIRED"]


def test_recovery_code_works_once(system, enrolled):
    user_id, email, _, recovery_codes = enrolled
    client, result = password_step(system, email)

    used = client.data(VERIFY, {"input": {"challenge": result["secondFactorChallenge"],
                                          "code": recovery_codes[2].lower().replace("-", " ")}})
    other, second = password_step(system, email)
    reuse = other.execute(VERIFY, {"input": {"challenge": second["secondFactorChallenge"],
                                             "code": recovery_codes[2]}})

    assert used["verifySecondFactor"]["user"]["email"] == email
    assert client.data(ME)["me"]["recoveryCodesLeft"] == 9
    assert error_codes(reuse) == ["INVALID_SECOND_FACTOR_CODE"]
    assert "RECOVERY_CODE_USED" in audit_actions(system, user_id)


def test_challenge_dies_after_five_wrong_codes(system, enrolled):
    _, email, secret, _ = enrolled
    client, result = password_step(system, email)
    challenge = result["secondFactorChallenge"]
    wrong = "000000" if code(secret, 1) != "000000" else "111111"

    answers = [error_codes(client.execute(VERIFY, {"input": {"challenge": challenge, "code": wrong}}))
               for _ in range(5)]
    with_right_code = client.execute(VERIFY, {"input": {"challenge": challenge, "code": code(secret, 1)}})

    assert answers[:4] == [["INVALID_SECOND_FACTOR_CODE"]] * 4
    assert answers[4] == ["SECOND_FACTOR_CHALLENGE_EXPIRED"]
    assert error_codes(with_right_code) == ["SECOND_FACTOR_CHALLENGE_EXPIRED"]
    assert "reconnectez-vous" in with_right_code["errors"][0]["message"]


def test_wrong_codes_are_throttled_across_challenges(system, enrolled):
    _, email, secret, _ = enrolled
    wrong = "000000" if code(secret, 1) != "000000" else "111111"
    client, first = password_step(system, email)
    for _ in range(5):
        client.execute(VERIFY, {"input": {"challenge": first["secondFactorChallenge"], "code": wrong}})

    other, second = password_step(system, email)
    throttled = other.execute(VERIFY, {"input": {"challenge": second["secondFactorChallenge"],
                                                 "code": code(secret, 1)}})

    assert error_codes(throttled) == ["RATE_LIMITED"]
    assert "portail_session" not in other.http.cookies


def test_expired_challenge_is_rejected(system, enrolled):
    _, email, secret, _ = enrolled
    client, result = password_step(system, email)
    run_sql(system, "UPDATE second_factor_challenge SET expires_at = created_at WHERE user_id = "
                    "(SELECT id FROM user_account WHERE email = :email)", email=email)

    expired = client.execute(VERIFY, {"input": {"challenge": result["secondFactorChallenge"], "code": code(secret, 1)}})

    assert error_codes(expired) == ["SECOND_FACTOR_CHALLENGE_EXPIRED"]
    assert "portail_session" not in client.http.cookies


def test_unknown_challenge_is_rejected(system):
    unknown = system.client().execute(VERIFY, {"input": {"challenge": "inconnu", "code": "123456"}})

    assert error_codes(unknown) == ["SECOND_FACTOR_CHALLENGE_EXPIRED"]


def test_aliases_count_one_code_attempt(system):
    query = """mutation($input: VerifySecondFactorInput!) {
        a: verifySecondFactor(input: $input) { secondFactorRequired }
        b: verifySecondFactor(input: $input) { secondFactorRequired } }"""

    result = system.client().execute(query, {"input": {"challenge": "inconnu", "code": "123456"}})

    assert sorted(error_codes(result)) == ["RATE_LIMITED", "SECOND_FACTOR_CHALLENGE_EXPIRED"]


def test_disable_needs_password_and_code(system, enrolled):
    user_id, email, secret, recovery_codes = enrolled
    client = system.client()
    challenge = client.data(LOGIN, {"input": {"email": email, "password": PASSWORD}})["login"]["secondFactorChallenge"]
    client.data(VERIFY, {"input": {"challenge": challenge, "code": recovery_codes[0]}})

    wrong_password = client.execute(DISABLE, {"input": {"currentPassword": "Pas-le-bon-2026!?",
                                                        "code": recovery_codes[1]}})
    wrong_code = client.execute(DISABLE, {"input": {"currentPassword": PASSWORD, "code": recovery_codes[0]}})
    disabled = client.data(DISABLE, {"input": {"currentPassword": PASSWORD, "code": recovery_codes[1]}})
    _, after = password_step(system, email)

    assert error_codes(wrong_password) == ["VALIDATION_FAILED"]
    assert wrong_password["errors"][0]["extensions"]["fields"][0]["field"] == "currentPassword"
    assert error_codes(wrong_code) == ["INVALID_SECOND_FACTOR_CODE"]
    assert disabled["disableSecondFactor"]["user"]["email"] == email
    assert client.data(ME)["me"]["secondFactorEnabled"] is False
    assert after["secondFactorRequired"] is False
    assert "SECOND_FACTOR_DISABLED" in audit_actions(system, user_id)


def test_regenerated_recovery_codes_replace_old_ones(system, enrolled):
    user_id, email, secret, old_codes = enrolled
    client, result = password_step(system, email)
    client.data(VERIFY, {"input": {"challenge": result["secondFactorChallenge"], "code": old_codes[0]}})

    new_codes = client.data(REGENERATE, {"input": {"code": code(secret, 1)}})["regenerateRecoveryCodes"]["recoveryCodes"]
    other, second = password_step(system, email)
    old = other.execute(VERIFY, {"input": {"challenge": second["secondFactorChallenge"], "code": old_codes[1]}})
    new = other.data(VERIFY, {"input": {"challenge": second["secondFactorChallenge"], "code": new_codes[0]}})

    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert error_codes(old) == ["INVALID_SECOND_FACTOR_CODE"]
    assert new["verifySecondFactor"]["user"]["email"] == email
    assert "RECOVERY_CODES_REGENERATED" in audit_actions(system, user_id)


def test_enrolment_requires_a_session(system):
    assert error_codes(system.client().execute(START)) == ["UNAUTHENTICATED"]


def test_customer_cannot_read_or_change_staff_setting(system):
    customer = signed_in(system, "mleroy@example.fr", DEMO_PASSWORD)
    agent = signed_in(system, "cbernard@eksae.example.fr", DEMO_PASSWORD)

    customer_update = customer.execute(UPDATE_SETTINGS, {"input": {"secondFactorRequiredForStaff": True}})
    agent_update = agent.execute(UPDATE_SETTINGS, {"input": {"secondFactorRequiredForStaff": True}})

    assert error_codes(customer.execute(SETTINGS)) == ["FORBIDDEN"]
    assert error_codes(customer_update) == ["FORBIDDEN"]
    assert error_codes(agent_update) == ["FORBIDDEN"]
    assert agent.data(SETTINGS)["securitySettings"]["secondFactorRequiredForStaff"] is False


def test_admin_without_second_factor_cannot_require_it(system):
    admin = signed_in(system, "aroux@eksae.example.fr", DEMO_PASSWORD)

    refused = admin.execute(UPDATE_SETTINGS, {"input": {"secondFactorRequiredForStaff": True}})

    assert error_codes(refused) == ["CONFLICT"]
    assert "propre compte" in refused["errors"][0]["message"]


def test_required_second_factor_restricts_staff_until_enrolled(system, accounts):
    _, admin_email = accounts.create(role="ADMIN")
    admin = signed_in(system, admin_email, PASSWORD)
    enrol(admin)
    _, agent_email = accounts.create()
    _, customer_email = accounts.create(role="CUSTOMER")

    changed = admin.data(UPDATE_SETTINGS, {"input": {"secondFactorRequiredForStaff": True}})
    try:
        agent, agent_login = password_step(system, agent_email)
        blocked = agent.execute(TICKETS)
        me = agent.data(ME)["me"]
        customer, customer_login = password_step(system, customer_email)
        secret, _ = enrol(agent)
        after = agent.data(TICKETS)
    finally:
        admin.data(UPDATE_SETTINGS, {"input": {"secondFactorRequiredForStaff": False}})

    assert changed["updateSecuritySettings"]["securitySettings"] == {
        "secondFactorRequiredForStaff": True, "updatedBy": {"email": admin_email}}
    assert agent_login["mustEnrolSecondFactor"] is True
    assert error_codes(blocked) == ["SECOND_FACTOR_ENROLMENT_REQUIRED"]
    assert "double authentification" in blocked["errors"][0]["message"]
    assert me["mustEnrolSecondFactor"] is True
    assert customer_login["mustEnrolSecondFactor"] is False
    assert customer.data(TICKETS)["tickets"]["totalCount"] >= 0
    assert after["tickets"]["totalCount"] >= 0
    assert agent.data(ME)["me"]["mustEnrolSecondFactor"] is False
    changes = [edge["node"] for edge in admin.data(AUDIT, {"userId": None})["securityAuditLog"]["edges"]
               if edge["node"]["action"] == "SECURITY_SETTING_CHANGED"]
    assert changes[0]["actor"]["email"] == admin_email
    assert json.loads(changes[0]["details"])["value"] is False
    assert json.loads(changes[1]["details"])["value"] is True


def test_password_change_ends_pending_challenge(system, enrolled):
    _, email, secret, recovery_codes = enrolled
    waiting, pending = password_step(system, email)
    owner, result = password_step(system, email)
    owner.data(VERIFY, {"input": {"challenge": result["secondFactorChallenge"], "code": recovery_codes[0]}})
    owner.data("""mutation($input: ChangePasswordInput!) { changePassword(input: $input) { user { email } } }""",
               {"input": {"currentPassword": PASSWORD, "newPassword": "Change-Apres-2026!?"}})

    late = waiting.execute(VERIFY, {"input": {"challenge": pending["secondFactorChallenge"],
                                              "code": recovery_codes[1]}})

    assert error_codes(late) == ["SECOND_FACTOR_CHALLENGE_EXPIRED"]


RESET = """mutation($input: ResetSecondFactorInput!) { resetSecondFactor(input: $input) { user { email } } }"""


def test_admin_resets_lost_second_factor(system, enrolled):
    user_id, email, secret, _ = enrolled
    owner = system.client()
    _, result = password_step(system, email)
    allow_code_reuse(system, email)
    owner.data(VERIFY, {"input": {"challenge": result["secondFactorChallenge"], "code": code(secret)}})
    assert owner.data(ME)["me"]["secondFactorEnabled"] is True

    by_agent = signed_in(system, "cbernard@eksae.example.fr", DEMO_PASSWORD).execute(
        RESET, {"input": {"userId": user_id}})
    by_other_manager = signed_in(system, "mleroy@example.fr", DEMO_PASSWORD).execute(
        RESET, {"input": {"userId": user_id}})
    admin = signed_in(system, "aroux@eksae.example.fr", DEMO_PASSWORD)
    by_admin = admin.execute(RESET, {"input": {"userId": user_id}})
    again = admin.execute(RESET, {"input": {"userId": user_id}})

    assert error_codes(by_agent) == ["FORBIDDEN"]
    assert error_codes(by_other_manager) == ["NOT_FOUND"]
    assert by_admin["data"]["resetSecondFactor"]["user"]["email"] == email
    assert error_codes(again) == ["CONFLICT"]
    # The owner's open session ended; the password alone now signs in.
    assert error_codes(owner.execute(ME)) == ["UNAUTHENTICATED"]
    _, after = password_step(system, email)
    assert after["secondFactorRequired"] is False
    assert "SECOND_FACTOR_RESET" in audit_actions(system, user_id)
