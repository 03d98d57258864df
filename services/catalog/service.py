"""nameko entrypoints of the catalog service; each calls a plain function of a domain module."""
from __future__ import annotations

from typing import Any

from services.common.caller import Caller
from services.common.caller_provider import CallerProvider
from services.common.database import Database
from services.common.errors import ServiceError
from services.common.health import HealthMixin
from services.common.outbox import Outbox as OutboxRelay
from services.common.rpc_entrypoint import rpc
from services.catalog import contract_admin, contracts, entitlements, product_admin, products
from services.catalog.models import Outbox

# Events this service publishes, through its outbox.
EVENTS = ("contract_changed",)


class CatalogService(HealthMixin):
    name = "catalog"

    db = Database()
    outbox = OutboxRelay(Outbox)
    caller: Caller = CallerProvider()

    # Public catalogue ------------------------------------------------------------------------

    @rpc(expected_exceptions=ServiceError)
    def list_products(self, first: int | None = None, after: str | None = None) -> dict[str, Any]:
        """Return a page of the vendor's products (id, name, description); no sign-in needed."""
        return products.list_products(self.db, first, after)

    @rpc(expected_exceptions=ServiceError)
    def get_products(self, ids: list[str]) -> list[dict[str, Any] | None]:
        """Return `{id, name, description}` per id, in order, None for an unknown id; no sign-in needed."""
        return products.get_products(self.db, ids)

    @rpc(expected_exceptions=ServiceError)
    def get_versions(self, ids: list[str]) -> list[dict[str, Any] | None]:
        """Return `{id, product_id, name, release_date, supported}` per id, in order, None when unknown."""
        return products.get_versions(self.db, ids)

    # Product spaces and FAQ ------------------------------------------------------------------

    @rpc(expected_exceptions=ServiceError)
    def list_product_spaces(self, organisation_id: str | None = None, first: int | None = None,
                            after: str | None = None) -> dict[str, Any]:
        """Return a page of product spaces (presentation, links, versions, FAQ) the caller may open.

        Customers get the products of their organisation's active contracts; agents every product,
        or those of `organisation_id`.
        """
        return products.list_product_spaces(self.db, self.caller, organisation_id, first, after)

    @rpc(expected_exceptions=ServiceError)
    def get_product_space(self, product_id: str) -> dict[str, Any]:
        """Return one product space; raises ProductNotFound when the caller may not open it."""
        return products.get_product_space(self.db, self.caller, product_id)

    @rpc(expected_exceptions=ServiceError)
    def get_faq_entries(self, ids: list[str]) -> list[dict[str, Any] | None]:
        """Return FAQ entries per id, in order; None for an unknown id or one outside the caller's spaces."""
        return products.get_faq_entries(self.db, self.caller, ids)

    @rpc(expected_exceptions=ServiceError)
    def search_faq(self, query: str, product_id: str | None = None, first: int | None = None,
                   after: str | None = None) -> dict[str, Any]:
        """Return a page of FAQ entries matching `query` (accents and case ignored), best first."""
        return products.search_faq(self.db, self.caller, query, product_id, first, after)

    # Contracts, sites, services ----------------------------------------------------------------

    @rpc(expected_exceptions=ServiceError)
    def list_organisation_product_ids(self, organisation_id: str) -> list[str]:
        """Return the ids of the products covered by the organisation's active contracts.

        Raises OrganisationNotFound when a customer names another organisation.
        """
        return contracts.list_organisation_product_ids(self.db, self.caller, organisation_id)

    @rpc(expected_exceptions=ServiceError)
    def list_contracts(self, organisation_id: str | None = None, first: int | None = None,
                       after: str | None = None) -> dict[str, Any]:
        return contracts.list_contracts(self.db, self.caller, organisation_id, first, after)

    @rpc(expected_exceptions=ServiceError)
    def get_contracts(self, ids: list[str]) -> list[dict[str, Any] | None]:
        """Return contracts per id, in order; None for an unknown id or another organisation's contract."""
        return contracts.get_contracts(self.db, self.caller, ids)

    @rpc(expected_exceptions=ServiceError)
    def list_sites(self, organisation_id: str | None = None, first: int | None = None,
                   after: str | None = None) -> dict[str, Any]:
        return contracts.list_sites(self.db, self.caller, organisation_id, first, after)

    @rpc(expected_exceptions=ServiceError)
    def get_sites(self, ids: list[str]) -> list[dict[str, Any] | None]:
        """Return sites per id, in order; None for an unknown id or another organisation's site."""
        return contracts.get_sites(self.db, self.caller, ids)

    @rpc(expected_exceptions=ServiceError)
    def list_services(self) -> list[dict[str, Any]]:
        return contracts.list_services(self.db, self.caller)

    @rpc(expected_exceptions=ServiceError)
    def get_services(self, ids: list[str]) -> list[dict[str, Any] | None]:
        return contracts.get_services(self.db, self.caller, ids)

    # Support entitlement ---------------------------------------------------------------------

    @rpc(expected_exceptions=ServiceError)
    def get_entitlements(self, organisation_id: str) -> dict[str, Any]:
        """Return `{support_enabled, reason_code, reason, contracts}`: the ticket form's cascade.

        `reason_code` is None, NO_CONTRACT, CONTRACT_EXPIRED or NO_ASSISTANCE, and `reason` its text
        `{fr, en}`. Raises OrganisationNotFound when a customer names another organisation.
        """
        return entitlements.get_entitlements(self.db, self.caller, organisation_id)

    @rpc(expected_exceptions=ServiceError)
    def check_ticket_entitlement(self, organisation_id: str, contract_id: str | None,
                                 service_ids: list[str] | None, product_id: str | None, site_id: str | None,
                                 version_id: str | None = None) -> dict[str, Any]:
        """Return `{contract, services, product, site, version}` with their names for a covered choice.

        Raises EntitlementRejected whose fields (`contract`, `services`, `product`, `site`,
        `version`) name what is not covered, and OrganisationNotFound for another organisation.
        """
        return entitlements.check_ticket_entitlement(self.db, self.caller, organisation_id, contract_id,
                                                     service_ids, product_id, site_id, version_id)

    # Administration by agents; each raises its Invalid* error with the failing fields --------

    @rpc(expected_exceptions=ServiceError)
    def create_product(self, values: dict[str, Any]) -> dict[str, Any]:
        """Create a product from `{name, description, presentation_markdown, links}`; return its space."""
        return product_admin.create_product(self.db, self.caller, values)

    @rpc(expected_exceptions=ServiceError)
    def update_product(self, product_id: str, values: dict[str, Any]) -> dict[str, Any]:
        return product_admin.update_product(self.db, self.caller, product_id, values)

    @rpc(expected_exceptions=ServiceError)
    def create_version(self, values: dict[str, Any]) -> dict[str, Any]:
        """Add `{product_id, name, release_date, supported}` to a product."""
        return product_admin.create_version(self.db, self.caller, values)

    @rpc(expected_exceptions=ServiceError)
    def update_version(self, version_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Change the given fields of `{name, release_date, supported}` of a version."""
        return product_admin.update_version(self.db, self.caller, version_id, values)

    @rpc(expected_exceptions=ServiceError)
    def create_faq_entry(self, values: dict[str, Any]) -> dict[str, Any]:
        """Add `{product_id, category, question, answer_markdown, position}` to a product space."""
        return product_admin.create_faq_entry(self.db, self.caller, values)

    @rpc(expected_exceptions=ServiceError)
    def update_faq_entry(self, entry_id: str, values: dict[str, Any]) -> dict[str, Any]:
        return product_admin.update_faq_entry(self.db, self.caller, entry_id, values)

    @rpc(expected_exceptions=ServiceError)
    def delete_faq_entry(self, entry_id: str) -> str:
        return product_admin.delete_faq_entry(self.db, self.caller, entry_id)

    @rpc(expected_exceptions=ServiceError)
    def create_site(self, values: dict[str, Any]) -> dict[str, Any]:
        """Add `{organisation_id, name, address, postal_code, city}` as a site."""
        return contract_admin.create_site(self.db, self.caller, values)

    @rpc(expected_exceptions=ServiceError)
    def update_site(self, site_id: str, values: dict[str, Any]) -> dict[str, Any]:
        return contract_admin.update_site(self.db, self.caller, site_id, values)

    @rpc(expected_exceptions=ServiceError)
    def create_contract(self, values: dict[str, Any]) -> dict[str, Any]:
        """Create a contract from `{number, organisation_id, start_date, end_date, support_level,
        product_ids, service_ids, site_ids}` and publish `contract_changed`."""
        return contract_admin.create_contract(self.db, self.caller, values)

    @rpc(expected_exceptions=ServiceError)
    def update_contract(self, contract_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Change the given fields of a contract and publish `contract_changed`."""
        return contract_admin.update_contract(self.db, self.caller, contract_id, values)


SERVICE_CLASS = CatalogService
