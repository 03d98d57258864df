"""Demo tickets of Saint-Aubin, in French, for the one-command run.

The catalog names (contract number, products, sites, services) are copied as the catalog's demo data
defines them, because a ticket keeps the names it was created with.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common import demo
from services.common.events import utc_now
from services.tickets.lifecycle import TicketState, TicketStatus
from services.tickets.models import Ticket, TicketCounter, TicketFollower, TicketHistory, TicketMessage
from services.tickets.numbering import PARIS, format_number
from services.tickets.vocabulary import RequestNature, Severity

CONTRACT_NUMBER = "CTR-2026-0142"
ASSISTANCE = {"id": demo.demo_id("service:assistance"), "name": "Assistance"}
CONTACTS = {
    demo.USER_JDUPONT: {"id": demo.USER_JDUPONT, "email": "jdupont@example.fr", "display_name": "Jean Dupont",
                        "language": "fr"},
    demo.USER_MLEROY: {"id": demo.USER_MLEROY, "email": "mleroy@example.fr", "display_name": "Marie Leroy",
                       "language": "fr"},
}


def is_loaded(session: Session) -> bool:
    return session.scalar(select(Ticket.id).limit(1)) is not None


def _ticket(number: str, requester_id: str, **values: object) -> Ticket:
    contacts = [dict(CONTACTS[requester_id], relation="requester")]
    return Ticket(number=number, organisation_id=demo.ORG_SAINT_AUBIN, version=1,
                  contract_id=demo.CONTRACT_SAINT_AUBIN, contract_number=CONTRACT_NUMBER, services=[ASSISTANCE],
                  requester_id=requester_id, created_by_id=requester_id, contacts=contacts, **values)


def load(session: Session) -> None:
    now = utc_now()
    year = now.astimezone(PARIS).year
    new = _ticket(
        format_number(year, 1), demo.USER_JDUPONT, id=demo.demo_id("ticket:echeances"),
        product_id=demo.PRODUCT_CARRUS, product_name="Carrus", site_id=demo.SITE_MAIRIE, site_name="Mairie",
        nature=RequestNature.INCIDENT, severity=Severity.MAJOR, title="Le calcul des échéances s'arrête",
        description="Depuis la mise à jour, le calcul des échéances s'interrompt à **40 %**.",
        status=TicketStatus.NEW, state=TicketState.AWAITING_SUPPORT, entered_at=now - timedelta(hours=3),
        updated_at=now - timedelta(hours=3))
    suspended = _ticket(
        format_number(year, 2), demo.USER_MLEROY, id=demo.demo_id("ticket:formulaire-etat-civil"),
        product_id=demo.PRODUCT_CITOYENS, product_name="Channel Citoyens", site_id=demo.SITE_ANNEXE,
        site_name="Annexe technique", nature=RequestNature.ASSISTANCE, severity=Severity.MINOR,
        title="Ajouter un champ au formulaire d'état civil", description="Nous souhaitons demander le lieu de "
        "naissance dans le formulaire en ligne.", reference_1="DEL-2026-14",
        status=TicketStatus.SUSPENDED, state=TicketState.AWAITING_CUSTOMER_RESUME,
        suspension_reason="Merci de préciser la démarche concernée (naissance, mariage ou décès).",
        entered_at=now - timedelta(days=6), received_at=now - timedelta(days=6, hours=-2),
        intervention_at=now - timedelta(days=5), suspended_at=now - timedelta(days=4),
        updated_at=now - timedelta(days=4), last_message_at=now - timedelta(days=4),
        last_public_message_at=now - timedelta(days=4))
    resolved = _ticket(
        format_number(year, 3), demo.USER_JDUPONT, id=demo.demo_id("ticket:export-budget"),
        product_id=demo.PRODUCT_CARRUS, product_name="Carrus", site_id=demo.SITE_MAIRIE, site_name="Mairie",
        nature=RequestNature.INFORMATION, severity=Severity.MINOR, title="Export du budget au format tableur",
        description="Comment exporter le budget primitif vers un tableur ?",
        status=TicketStatus.RESOLVED, state=TicketState.AWAITING_CUSTOMER_CONFIRMATION,
        entered_at=now - timedelta(days=12), received_at=now - timedelta(days=12),
        intervention_at=now - timedelta(days=11), resolved_at=now - timedelta(days=2),
        updated_at=now - timedelta(days=2))
    session.add_all([new, suspended, resolved])
    session.flush()

    session.add(TicketCounter(year=year, last_value=3))
    session.add(TicketFollower(ticket_id=suspended.id, user_id=demo.USER_JDUPONT))
    session.add(TicketMessage(ticket_id=suspended.id, author_id=demo.AGENT_CBERNARD, author_is_agent=True,
                              body=suspended.suspension_reason or "", created_at=now - timedelta(days=4)))
    for ticket in (new, suspended, resolved):
        session.add(TicketHistory(ticket_id=ticket.id, actor_id=ticket.requester_id, action="create",
                                  from_status=None, to_status=TicketStatus.NEW, occurred_at=ticket.entered_at))
    session.add(TicketHistory(ticket_id=suspended.id, actor_id=demo.AGENT_CBERNARD, action="suspend",
                              from_status=TicketStatus.IN_PROGRESS, to_status=TicketStatus.SUSPENDED,
                              reason=suspended.suspension_reason or "", occurred_at=now - timedelta(days=4)))
    session.add(TicketHistory(ticket_id=resolved.id, actor_id=demo.AGENT_LPETIT, action="resolve",
                              from_status=TicketStatus.IN_PROGRESS, to_status=TicketStatus.RESOLVED,
                              reason="Menu Budget > Exporter > Tableur.", occurred_at=now - timedelta(days=2)))
