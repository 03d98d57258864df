"""Demo catalog in French: three products with their spaces, the services, two customers' sites and contracts."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common import demo
from services.catalog.models import (
    Contract, FaqEntry, Product, ProductVersion, Service, ServiceKind, Site, SupportLevel,
)

SERVICE_ASSISTANCE = demo.demo_id("service:assistance")
SERVICE_CORRECTIVE = demo.demo_id("service:maintenance-corrective")
SERVICE_HOSTING = demo.demo_id("service:hebergement")
SERVICE_TRAINING = demo.demo_id("service:formation")
CONTRACT_SAINT_AUBIN_PREVIOUS = demo.demo_id("contract:saint-aubin:2023")

# The current contracts run for three years, as public procurement contracts often do.
# NOTE: from 2029-01-01 the demo contracts are over and the demo shows the support desk closed.
CURRENT_START = date(2026, 1, 1)
CURRENT_END = date(2028, 12, 31)


def is_loaded(session: Session) -> bool:
    return session.scalar(select(Product.id).limit(1)) is not None


def _services() -> dict[str, Service]:
    return {
        SERVICE_ASSISTANCE: Service(
            id=SERVICE_ASSISTANCE, name="Assistance", kind=ServiceKind.ASSISTANCE, is_assistance=True,
            description="Réponse du support aux questions d'utilisation et aux demandes d'aide."),
        SERVICE_CORRECTIVE: Service(
            id=SERVICE_CORRECTIVE, name="Maintenance corrective", kind=ServiceKind.CORRECTIVE_MAINTENANCE,
            description="Correction des anomalies constatées dans les versions maintenues."),
        SERVICE_HOSTING: Service(
            id=SERVICE_HOSTING, name="Hébergement", kind=ServiceKind.HOSTING,
            description="Hébergement des applications et des données dans nos centres de données."),
        SERVICE_TRAINING: Service(
            id=SERVICE_TRAINING, name="Formation", kind=ServiceKind.TRAINING,
            description="Sessions de formation des utilisateurs, sur site ou à distance."),
    }


def _carrus() -> Product:
    product = Product(
        id=demo.PRODUCT_CARRUS, name="Carrus",
        description="Facturation des services aux usagers (eau, restauration scolaire, périscolaire) "
                    "et suivi des échéances.",
        presentation_markdown=(
            "## Carrus\n\n"
            "Carrus gère la **facturation des services aux usagers** : eau et assainissement, restauration "
            "scolaire, accueil périscolaire.\n\n"
            "- calcul des factures et des **échéanciers** de prélèvement ;\n"
            "- relances automatiques des impayés ;\n"
            "- export des titres vers la comptabilité."
        ),
        links=[
            {"label": "Notes de version", "url": "https://docs.example.fr/carrus/notes-de-version"},
            {"label": "Guide de l'utilisateur", "url": "https://docs.example.fr/carrus/guide.pdf"},
        ],
    )
    product.versions = [
        ProductVersion(id=demo.demo_id("version:carrus:4.8"), name="4.8", release_date=date(2023, 5, 15),
                       supported=False),
        ProductVersion(id=demo.demo_id("version:carrus:5.1"), name="5.1", release_date=date(2025, 9, 15)),
        ProductVersion(id=demo.demo_id("version:carrus:5.2"), name="5.2", release_date=date(2026, 11, 24)),
    ]
    product.faq_entries = [
        FaqEntry(category="Échéances", position=1,
                 question="Comment modifier la date d'échéance d'une facture ?",
                 answer_markdown="Ouvrez la facture, cliquez sur **Modifier l'échéance** puis choisissez la "
                                 "nouvelle date. Les relances déjà programmées sont recalculées."),
        FaqEntry(category="Échéances", position=2,
                 question="Pourquoi un échéancier de prélèvement n'apparaît-il pas ?",
                 answer_markdown="Un échéancier n'est créé qu'une fois le mandat SEPA de l'usager validé. "
                                 "Vérifiez l'onglet **Mandats** de la fiche usager."),
        FaqEntry(category="Exports", position=1,
                 question="Comment exporter les titres vers Channel Comptabilité ?",
                 answer_markdown="Menu **Comptabilité > Export des titres** : choisissez la période puis "
                                 "cliquez sur **Exporter**. Le fichier est au format PES V2."),
        FaqEntry(category="Connexion", position=1,
                 question="J'ai oublié mon mot de passe Carrus",
                 answer_markdown="Cliquez sur **Mot de passe oublié ?** sur l'écran de connexion ; un lien de "
                                 "réinitialisation vous est envoyé par courriel."),
    ]
    return product


def _citoyens() -> Product:
    product = Product(
        id=demo.PRODUCT_CITOYENS, name="Channel Citoyens",
        description="Portail de démarches en ligne et gestion de la relation avec les habitants.",
        presentation_markdown=(
            "## Channel Citoyens\n\n"
            "Channel Citoyens met en ligne les **démarches de votre collectivité** (état civil, inscriptions "
            "scolaires, signalements) et centralise les échanges avec les habitants."
        ),
        links=[{"label": "Catalogue des démarches", "url": "https://docs.example.fr/channel-citoyens/demarches"}],
    )
    product.versions = [
        ProductVersion(id=demo.demo_id("version:channel-citoyens:2.9"), name="2.9", release_date=date(2022, 3, 1),
                       supported=False),
        ProductVersion(id=demo.demo_id("version:channel-citoyens:3.4"), name="3.4", release_date=date(2025, 6, 2)),
        ProductVersion(id=demo.demo_id("version:channel-citoyens:3.5"), name="3.5", release_date=date(2026, 10, 6)),
    ]
    product.faq_entries = [
        FaqEntry(category="Compte usager", position=1,
                 question="Un habitant ne reçoit pas le courriel de réinitialisation de son mot de passe",
                 answer_markdown="Demandez-lui de vérifier ses courriers indésirables, puis contrôlez dans "
                                 "**Administration > Courriels** que l'envoi n'est pas en erreur."),
        FaqEntry(category="Démarches", position=1,
                 question="Comment publier une nouvelle démarche en ligne ?",
                 answer_markdown="Créez la démarche dans **Démarches > Nouvelle**, renseignez le formulaire puis "
                                 "cliquez sur **Publier**. Elle apparaît aussitôt sur le portail."),
        FaqEntry(category="Exports", position=1,
                 question="Comment exporter les demandes reçues vers un tableur ?",
                 answer_markdown="Depuis la liste des demandes, cliquez sur **Exporter** : vous obtenez un fichier "
                                 "Excel avec les filtres appliqués."),
    ]
    return product


def _comptabilite() -> Product:
    product = Product(
        id=demo.PRODUCT_COMPTA, name="Channel Comptabilité",
        description="Comptabilité publique (M57, M14) et exécution budgétaire des collectivités.",
        presentation_markdown=(
            "## Channel Comptabilité\n\n"
            "Préparation et exécution du budget, mandats et titres, **dématérialisation PES V2** et "
            "passage à la **nomenclature M57**."
        ),
        links=[{"label": "Calendrier de bascule M57", "url": "https://docs.example.fr/channel-comptabilite/m57"}],
    )
    product.versions = [
        ProductVersion(id=demo.demo_id("version:channel-comptabilite:2025.2"), name="2025.2",
                       release_date=date(2025, 7, 1)),
        ProductVersion(id=demo.demo_id("version:channel-comptabilite:2026.1"), name="2026.1",
                       release_date=date(2026, 2, 2)),
    ]
    product.faq_entries = [
        FaqEntry(category="Clôture", position=1,
                 question="Quelle est l'échéance de la clôture de l'exercice ?",
                 answer_markdown="La journée complémentaire s'achève le **31 janvier** : les mandats et titres "
                                 "de l'exercice doivent être émis avant cette date."),
        FaqEntry(category="Exports", position=1,
                 question="Comment exporter le grand livre ?",
                 answer_markdown="Menu **Éditions > Grand livre**, choisissez l'exercice puis le format "
                                 "(PDF ou Excel)."),
        FaqEntry(category="Connexion", position=1,
                 question="Comment changer mon mot de passe ?",
                 answer_markdown="Menu **Mon compte > Sécurité** : saisissez l'ancien puis le nouveau mot de "
                                 "passe (12 caractères au moins)."),
    ]
    return product


def load(session: Session) -> None:
    services = _services()
    carrus, citoyens, comptabilite = _carrus(), _citoyens(), _comptabilite()
    mairie = Site(id=demo.SITE_MAIRIE, organisation_id=demo.ORG_SAINT_AUBIN, name="Mairie",
                  address="2 place de l'Hôtel de Ville", postal_code="35250", city="Saint-Aubin")
    annexe = Site(id=demo.SITE_ANNEXE, organisation_id=demo.ORG_SAINT_AUBIN, name="Annexe technique",
                  address="14 rue des Ateliers", postal_code="35250", city="Saint-Aubin")
    siege = Site(id=demo.SITE_VALLEE_SIEGE, organisation_id=demo.ORG_VALLEE, name="Siège communautaire",
                 address="5 avenue de la Vallée", postal_code="37310", city="Lys-sur-Indre")

    session.add_all(list(services.values()) + [carrus, citoyens, comptabilite, mairie, annexe, siege])
    session.add_all([
        Contract(
            id=CONTRACT_SAINT_AUBIN_PREVIOUS, number="CTR-2023-0087", organisation_id=demo.ORG_SAINT_AUBIN,
            start_date=date(2023, 1, 1), end_date=date(2025, 12, 31), support_level=SupportLevel.STANDARD,
            products=[carrus], services=[services[SERVICE_ASSISTANCE]], sites=[mairie],
        ),
        Contract(
            id=demo.CONTRACT_SAINT_AUBIN, number="CTR-2026-0142", organisation_id=demo.ORG_SAINT_AUBIN,
            start_date=CURRENT_START, end_date=CURRENT_END, support_level=SupportLevel.STANDARD,
            products=[carrus, citoyens],
            services=[services[SERVICE_ASSISTANCE], services[SERVICE_CORRECTIVE]],
            sites=[mairie, annexe],
        ),
        Contract(
            id=demo.CONTRACT_VALLEE, number="CTR-2026-0157", organisation_id=demo.ORG_VALLEE,
            start_date=CURRENT_START, end_date=CURRENT_END, support_level=SupportLevel.NONE,
            products=[comptabilite], services=[services[SERVICE_HOSTING]], sites=[siege],
        ),
    ])
