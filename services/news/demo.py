"""Demo news in French, for the one-command run."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common import demo
from services.common.events import utc_now
from services.news.models import Article, ArticleStatus, Audience


def is_loaded(session: Session) -> bool:
    return session.scalar(select(Article.id).limit(1)) is not None


def load(session: Session) -> None:
    now = utc_now()
    session.add_all([
        Article(
            id=demo.demo_id("news:nouveau-portail"), title="Bienvenue sur votre nouveau portail client",
            summary="Un seul compte pour le portail et le support, des demandes plus simples à suivre.",
            body_markdown=(
                "Votre portail client fait peau neuve.\n\n"
                "- **Un seul identifiant** pour le portail et le support ;\n"
                "- le **suivi de vos demandes** en temps réel ;\n"
                "- l'**export Excel** de vos demandes.\n\n"
                "Pour toute difficulté, écrivez à [portailclients@example.fr](mailto:portailclients@example.fr)."
            ),
            status=ArticleStatus.PUBLISHED, publish_at=now - timedelta(days=10), pinned=True,
            audience=Audience.EVERYONE,
        ),
        Article(
            id=demo.demo_id("news:carrus-5-2"), title="Carrus 5.2 est disponible",
            summary="Nouvelle gestion des échéances et des relances automatiques.",
            body_markdown="La version **5.2** de Carrus apporte la gestion des échéances et des relances.",
            status=ArticleStatus.PUBLISHED, publish_at=now - timedelta(days=3),
            audience=Audience.PRODUCTS, audience_product_ids=[demo.PRODUCT_CARRUS],
        ),
        Article(
            id=demo.demo_id("news:maintenance-decembre"), title="Maintenance planifiée le samedi 19 décembre",
            summary="Les services hébergés seront indisponibles de 8 h à 12 h.",
            body_markdown="Une opération de maintenance aura lieu le **samedi 19 décembre de 8 h à 12 h**.",
            status=ArticleStatus.PUBLISHED, publish_at=now - timedelta(days=1), audience=Audience.EVERYONE,
        ),
        Article(
            id=demo.demo_id("news:compta-m57"), title="Channel Comptabilité : passage à la M57",
            summary="Le calendrier de bascule vers la nomenclature M57.",
            body_markdown="Retrouvez le calendrier de bascule vers la **M57** dans votre espace produit.",
            status=ArticleStatus.PUBLISHED, publish_at=now - timedelta(days=5),
            audience=Audience.PRODUCTS, audience_product_ids=[demo.PRODUCT_COMPTA],
        ),
        Article(
            id=demo.demo_id("news:formations-2027"), title="Calendrier des formations 2027",
            summary="Les sessions de formation de l'an prochain seront publiées en janvier.",
            body_markdown="Brouillon en cours de rédaction.",
            status=ArticleStatus.DRAFT, audience=Audience.EVERYONE,
        ),
    ])
