"""Progressive throttling of sign-ins, per account and per client address, that aliases cannot bypass."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.common.sync_rpc import RpcCallFailed
from tests.integration.auth_helpers import LOGIN, error_codes

pytestmark = pytest.mark.integration

FREE_ATTEMPTS_PER_ACCOUNT = 5
FREE_ATTEMPTS_PER_ADDRESS = 50


def attempt(client, email, password="Mauvais-2026!?"):
    return error_codes(client.execute(LOGIN, {"input": {"email": email, "password": password}}))


def test_login_throttled_after_repeated_failures(system):
    client = system.client()
    email = "cible-throttle@example.fr"

    failures = [attempt(client, email) for _ in range(FREE_ATTEMPTS_PER_ACCOUNT)]
    throttled = client.execute(LOGIN, {"input": {"email": email.upper(), "password": "Mauvais-2026!?"}})

    assert failures == [["UNAUTHENTICATED"]] * FREE_ATTEMPTS_PER_ACCOUNT
    assert error_codes(throttled) == ["RATE_LIMITED"]
    assert "réessayez dans 1 minute." in throttled["errors"][0]["message"]


def test_aliased_logins_count_as_one_attempt(system):
    client = system.client()
    email = "cible-alias@example.fr"
    aliases = " ".join(f'a{index}: login(input: {{email: "{email}", password: "Essai-{index}-2026!?"}}) '
                       f'{{ mustChangePassword }}' for index in range(10))

    body = client.execute(f"mutation {{ {aliases} }}")

    assert error_codes(body) == ["UNAUTHENTICATED"] + ["RATE_LIMITED"] * 9
    # Only the first alias counted: the remaining free attempts are still there.
    later = [attempt(client, email) for _ in range(FREE_ATTEMPTS_PER_ACCOUNT - 1)]
    assert later == [["UNAUTHENTICATED"]] * (FREE_ATTEMPTS_PER_ACCOUNT - 1)
    assert attempt(client, email) == ["RATE_LIMITED"]


def test_login_throttled_per_client_address(system):
    address = "203.0.113.50"
    for index in range(FREE_ATTEMPTS_PER_ADDRESS):
        with pytest.raises(RpcCallFailed) as raised:
            system.rpc("auth", "login", email=f"balayage-{index}@example.fr", password="x", client_ip=address)
        assert raised.value.exc_type == "InvalidCredentials"

    with pytest.raises(RpcCallFailed) as raised:
        system.rpc("auth", "login", email="balayage-final@example.fr", password="x", client_ip=address)

    assert raised.value.exc_type == "TooManyAttempts"


def test_successful_login_clears_account_failures(system):
    client = system.client()
    for _ in range(FREE_ATTEMPTS_PER_ACCOUNT - 1):
        assert attempt(client, "lpetit@eksae.example.fr") == ["UNAUTHENTICATED"]

    client.login("lpetit@eksae.example.fr", "Portail-Demo-2026!")

    assert attempt(client, "lpetit@eksae.example.fr") == ["UNAUTHENTICATED"]
    assert attempt(client, "lpetit@eksae.example.fr") == ["UNAUTHENTICATED"]


def test_concurrent_correct_logins_not_throttled(system):
    clients = [system.client() for _ in range(FREE_ATTEMPTS_PER_ACCOUNT + 3)]

    with ThreadPoolExecutor(len(clients)) as pool:
        results = list(pool.map(lambda client: attempt(client, "cbernard@eksae.example.fr", "Portail-Demo-2026!"),
                                clients))

    assert results == [[]] * len(clients)
