"""The client address behind a reverse proxy: uvicorn takes it from X-Forwarded-For of a trusted peer.

The gateway runs under uvicorn, whose proxy-header support trusts the addresses in
FORWARDED_ALLOW_IPS (127.0.0.1 when unset, which is this test's peer). The address then reaches the
auth service, which throttles and audits by it.
"""
import pytest

pytestmark = pytest.mark.integration

DEMO_PASSWORD = "Portail-Demo-2026!"
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { mustChangePassword } }"""
AUDIT = """{ securityAuditLog(actions: [LOGIN_FAILED], first: 50) { edges { node { email clientIp } } } }"""


def test_forwarded_address_reaches_audit_log(system):
    proxied = system.client()
    proxied.http.headers["X-Forwarded-For"] = "198.51.100.23, 127.0.0.1"
    admin = system.client()
    admin.login("aroux@eksae.example.fr", DEMO_PASSWORD)

    failed = proxied.execute(LOGIN, {"input": {"email": "proxy-check@example.fr", "password": "faux"}})
    entries = [edge["node"] for edge in admin.data(AUDIT)["securityAuditLog"]["edges"]]

    assert failed["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert {"email": "proxy-check@example.fr", "clientIp": "198.51.100.23"} in entries
