"""The shape check of account e-mail addresses shared by the portal and auth."""
import pytest

from services.common.email_addresses import is_well_formed

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("address", ["jdupont@example.fr", "j.dupont+support@mairie.saint-aubin.fr"])
def test_well_formed_address_accepted(address):
    assert is_well_formed(address)


@pytest.mark.parametrize("address", ["", "jdupont", "@example.fr", "jdupont@", "jdupont@localhost",
                                     "jdupont@.fr.", "j dupont@example.fr", "a@b@example.fr"])
def test_malformed_address_rejected(address):
    assert not is_well_formed(address)
