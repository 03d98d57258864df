"""URL map of the console's content and catalogue administration: product spaces, sites and contracts,
and the e-mail delivery log."""
from __future__ import annotations

from starlette.routing import Route

from gateway.portal import console_catalog_views as catalog
from gateway.portal import console_contract_views as contracts
from gateway.portal import console_delivery_views as deliveries

PRODUCT = "/console/produits/{space_id}"
FAQ_ENTRY = PRODUCT + "/faq/{entry_id}"


def console_content_routes() -> list[Route]:
    # A fixed path (« nouveau ») comes before the pattern that would also match it.
    return [
        Route("/console/produits", catalog.products),
        Route(PRODUCT, catalog.product_page, methods=["GET"]),
        Route(PRODUCT, catalog.product_update, methods=["POST"]),
        Route(PRODUCT + "/versions", catalog.version_create, methods=["POST"]),
        Route(PRODUCT + "/versions/{version_id}", catalog.version_update, methods=["POST"]),
        Route(PRODUCT + "/faq", catalog.faq_create, methods=["POST"]),
        Route(FAQ_ENTRY, catalog.faq_page, methods=["GET"]),
        Route(FAQ_ENTRY, catalog.faq_update, methods=["POST"]),
        Route(FAQ_ENTRY + "/supprimer", catalog.faq_page, methods=["GET"]),
        Route(FAQ_ENTRY + "/supprimer", catalog.faq_delete, methods=["POST"]),
        Route("/console/administration/contrats", contracts.contracts_page),
        Route("/console/administration/contrats/nouveau", contracts.contract_new, methods=["GET"]),
        Route("/console/administration/contrats/nouveau", contracts.contract_save, methods=["POST"]),
        Route("/console/administration/contrats/{contract_id}", contracts.contract_edit, methods=["GET"]),
        Route("/console/administration/contrats/{contract_id}", contracts.contract_save, methods=["POST"]),
        Route("/console/administration/sites/nouveau", contracts.site_new, methods=["GET"]),
        Route("/console/administration/sites/nouveau", contracts.site_save, methods=["POST"]),
        Route("/console/administration/sites/{site_id}", contracts.site_edit, methods=["GET"]),
        Route("/console/administration/sites/{site_id}", contracts.site_save, methods=["POST"]),
        Route("/console/administration/envois", deliveries.deliveries),
    ]
