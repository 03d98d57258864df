"""nameko entrypoints of the news service; each calls a plain function of `articles`."""
from __future__ import annotations

from typing import Any

from nameko.rpc import ServiceRpc

from services.common.caller import Caller
from services.common.caller_provider import CallerProvider
from services.common.database import Database
from services.common.errors import ServiceError
from services.common.health import HealthMixin
from services.common.outbox import Outbox as OutboxRelay
from services.common.rpc_entrypoint import rpc
from services.news import articles
from services.news.models import Outbox

# Events this service publishes, through its outbox.
EVENTS = ("news_published",)


class NewsService(HealthMixin):
    name = "news"

    db = Database()
    outbox = OutboxRelay(Outbox)
    caller: Caller = CallerProvider()
    catalog_rpc = ServiceRpc("catalog")

    def _reader_products(self) -> list[str]:
        # A customer's audience is the products their organisation's contracts cover.
        if self.caller.is_agent or not self.caller.organisation_id:
            return []
        return self.catalog_rpc.list_organisation_product_ids(organisation_id=self.caller.organisation_id)

    @rpc(expected_exceptions=ServiceError)
    def list_news(self, first: int | None = None, after: str | None = None) -> dict[str, Any]:
        """Return a page of the news the caller may read, pinned first, newest next."""
        self.caller.require_scope("news:read")
        return articles.list_articles(self.db, self.caller, self._reader_products(), first, after)

    @rpc(expected_exceptions=ServiceError)
    def get_news(self, article_id: str) -> dict[str, Any]:
        """Return one article; raises ArticleNotFound when it does not exist or is not for the caller."""
        self.caller.require_scope("news:read")
        return articles.get_article(self.db, self.caller, self._reader_products(), article_id)

    @rpc(expected_exceptions=ServiceError)
    def mark_news_read(self, article_id: str) -> dict[str, Any]:
        self.caller.require_scope("news:read")
        return articles.mark_read(self.db, self.caller, self._reader_products(), article_id)

    @rpc(expected_exceptions=ServiceError)
    def create_news(self, values: dict[str, Any]) -> dict[str, Any]:
        """Create a draft (agents only); raises InvalidArticle with the failing fields."""
        return articles.create_article(self.db, self.caller, values)

    @rpc(expected_exceptions=ServiceError)
    def publish_news(self, article_id: str) -> dict[str, Any]:
        return articles.publish_article(self.db, self.caller, article_id)

    @rpc(expected_exceptions=ServiceError)
    def update_news(self, article_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Change an article's fields (agents); raises ArticleNotFound or InvalidArticle."""
        return articles.update_article(self.db, self.caller, article_id, changes)

    @rpc(expected_exceptions=ServiceError)
    def archive_news(self, article_id: str) -> dict[str, Any]:
        """Withdraw an article from readers (agents); raises ArticleNotFound."""
        return articles.archive_article(self.db, self.caller, article_id)


SERVICE_CLASS = NewsService
