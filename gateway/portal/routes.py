"""URL map of the portal; paths are French because they are what users see and share."""
from __future__ import annotations

from starlette.responses import RedirectResponse
from starlette.routing import Route

from gateway.portal import (account_views, console_queue, console_views, home_views, notification_views,
                            organisation_views, product_views, security_views, support_views, ticket_edit_views)
from gateway.portal import admin_audit_views, admin_import_views, admin_organisation_views, admin_user_views
from gateway.portal.console_content_routes import console_content_routes


def portal_routes() -> list[Route]:
    return [
        Route("/", home_views.home),
        Route("/connexion", account_views.login_page, methods=["GET"]),
        Route("/connexion", account_views.login_submit, methods=["POST"]),
        Route("/connexion/verification", security_views.verification_page, methods=["GET"]),
        Route("/connexion/verification", security_views.verification_submit, methods=["POST"]),
        Route("/deconnexion", account_views.logout_submit, methods=["POST"]),
        Route("/mot-de-passe/changer", account_views.change_password_page, methods=["GET"]),
        Route("/mot-de-passe/changer", account_views.change_password_submit, methods=["POST"]),
        Route("/langue", account_views.language_submit, methods=["POST"]),
        Route("/mot-de-passe/oublie", account_views.forgotten_page, methods=["GET"]),
        Route("/mot-de-passe/oublie", account_views.forgotten_submit, methods=["POST"]),
        Route("/mot-de-passe/reinitialiser", account_views.reset_page, methods=["GET"]),
        Route("/mot-de-passe/reinitialiser", account_views.reset_submit, methods=["POST"]),
        Route("/invitation", account_views.reset_page, methods=["GET"]),
        Route("/invitation", account_views.reset_submit, methods=["POST"]),
        Route("/notifications", notification_views.centre),
        Route("/notifications/tout-lu", notification_views.mark_all_read, methods=["POST"]),
        Route("/notifications/preferences", notification_views.preferences, methods=["GET"]),
        Route("/notifications/preferences", notification_views.preferences_submit, methods=["POST"]),
        Route("/profil", home_views.profile),
        Route("/profil/securite", security_views.security_page, methods=["GET"]),
        Route("/profil/securite/activer", security_views.enrolment_start, methods=["POST"]),
        Route("/profil/securite/confirmer", security_views.enrolment_confirm, methods=["POST"]),
        Route("/profil/securite/codes-de-secours", security_views.recovery_codes_regenerate, methods=["POST"]),
        Route("/profil/securite/desactiver", security_views.second_factor_disable, methods=["POST"]),
        Route("/mon-organisation", organisation_views.organisation),
        Route("/mon-organisation/invitations", organisation_views.invite, methods=["POST"]),
        Route("/mon-organisation/comptes/{user_id}", organisation_views.change_access, methods=["POST"]),
        Route("/actualites", home_views.news_list),
        Route("/actualites/{news_id}", home_views.news_detail),
        Route("/produits/{space_id}", product_views.product_space),
        Route("/console", console_queue.queue),
        Route("/console/vues", console_queue.view_save, methods=["POST"]),
        Route("/console/vues/{view_id}/supprimer", console_queue.view_delete, methods=["POST"]),
        Route("/console/tickets/{number}", console_views.ticket_page),
        Route("/console/tickets/{number}/{action}", console_views.ticket_action, methods=["POST"]),
        Route("/console/actualites", console_views.news_admin, methods=["GET"]),
        Route("/console/actualites", console_views.news_create, methods=["POST"]),
        Route("/console/actualites/{news_id}/publier", console_views.news_publish, methods=["POST"]),
        Route("/console/jetons", console_views.tokens, methods=["GET"]),
        Route("/console/jetons", console_views.token_create, methods=["POST"]),
        Route("/console/jetons/{token_id}/revoquer", console_views.token_revoke, methods=["POST"]),
        Route("/console/securite", console_views.security_settings, methods=["GET"]),
        Route("/console/securite", console_views.security_settings_submit, methods=["POST"]),
        Route("/support", support_views.support_home),
        Route("/support/colonnes", support_views.columns_page, methods=["GET"]),
        Route("/support/colonnes", support_views.columns_submit, methods=["POST"]),
        Route("/support/creation", support_views.create_form, methods=["GET"]),
        Route("/support/creation", support_views.create_submit, methods=["POST"]),
        Route("/support/tickets/{number}", support_views.ticket_detail),
        Route("/support/tickets/{number}/modifier", ticket_edit_views.edit_page, methods=["GET"]),
        Route("/support/tickets/{number}/modifier", ticket_edit_views.edit_submit, methods=["POST"]),
        Route("/support/tickets/{number}/dupliquer", support_views.duplicate_page, methods=["GET"]),
        Route("/support/tickets/{number}/cloturer", support_views.close_page, methods=["GET"]),
        Route("/support/tickets/{number}/{action}", support_views.ticket_action, methods=["POST"]),
        Route("/support/{tab}", support_views.ticket_list),
        *console_content_routes(),
        *admin_routes(),
    ]


def admin_routes() -> list[Route]:
    """Return the console's administration pages, for administrators only."""
    return [
        # The READMEs name the section by this address; its first page is the accounts list.
        Route("/console/administration", lambda request: RedirectResponse("/console/administration/comptes", 303)),
        Route("/console/administration/comptes", admin_user_views.users, methods=["GET"]),
        Route("/console/administration/comptes", admin_user_views.create_user, methods=["POST"]),
        Route("/console/administration/comptes/{user_id}", admin_user_views.user_page, methods=["GET"]),
        Route("/console/administration/comptes/{user_id}/{action}", admin_user_views.user_action, methods=["POST"]),
        Route("/console/administration/organisations", admin_organisation_views.organisations, methods=["GET"]),
        Route("/console/administration/organisations", admin_organisation_views.create, methods=["POST"]),
        Route("/console/administration/organisations/{organisation_id}", admin_organisation_views.rename,
              methods=["POST"]),
        Route("/console/administration/import", admin_import_views.import_page, methods=["GET"]),
        Route("/console/administration/import", admin_import_views.import_submit, methods=["POST"]),
        Route("/console/administration/journal", admin_audit_views.audit_log, methods=["GET"]),
    ]
