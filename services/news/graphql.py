"""GraphQL types, queries and mutations of the news service."""
from __future__ import annotations

from typing import Any

import graphene
from graphene import relay

from gateway.connections import connection_from_page, decode_global_id
from gateway.context import authorize, call
from gateway.fields import datetime_field
from gateway.plugins import GraphQLPlugin


class NewsAudience(graphene.Enum):
    """Audience of a news item."""

    EVERYONE = "everyone"
    PRODUCTS = "products"
    ORGANISATIONS = "organisations"


class NewsStatus(graphene.Enum):
    """Publication state of a news item."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class NewsArticle(graphene.ObjectType):
    """A news item of the vendor, shown on the portal's home page."""

    class Meta:
        interfaces = (relay.Node,)

    title = graphene.String(required=True, description="Title, in the language it was written in.")
    summary = graphene.String(required=True, description="Short text shown in lists.")
    body_markdown = graphene.String(required=True, description="Body as written, in Markdown.")
    body_html = graphene.String(required=True, description="Body rendered to HTML that cannot run script.")
    image_url = graphene.String(description="Optional illustration.")
    status = graphene.Field(NewsStatus, required=True, description="Publication state.")
    publish_at = datetime_field("publish_at", "When the item becomes visible.")
    unpublish_at = datetime_field("unpublish_at", "When the item stops being visible, if ever.")
    pinned = graphene.Boolean(required=True, description="Pinned items are listed first.")
    audience = graphene.Field(NewsAudience, required=True, description="Who the item is meant for.")
    read = graphene.Boolean(required=True, description="Whether the caller has opened the item.")

    @classmethod
    async def get_node(cls, info: Any, article_id: str) -> dict[str, Any]:
        authorize(info, scope="news:read")
        return await call(info, "news", "get_news", article_id=article_id)

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, dict) and "body_markdown" in root


class NewsArticleConnection(relay.Connection):
    class Meta:
        node = NewsArticle

    total_count = graphene.Int(required=True, description="Number of items across all pages.")


class NewsQuery(graphene.ObjectType):
    news = relay.ConnectionField(NewsArticleConnection,
                                 description="News the caller may read, pinned first, then newest first.")

    async def resolve_news(self, info: Any, first: int | None = None, after: str | None = None,
                           **_: Any) -> Any:
        authorize(info, scope="news:read")
        page = await call(info, "news", "list_news", first=first, after=after)
        return connection_from_page(NewsArticleConnection, page)


class CreateNewsInput(graphene.InputObjectType):
    title = graphene.String(required=True, description="Title, at most 200 characters.")
    summary = graphene.String(description="Short text shown in lists, at most 500 characters.")
    body_markdown = graphene.String(description="Body in Markdown; raw HTML is shown as text.")
    image_url = graphene.String(description="Optional illustration URL.")
    pinned = graphene.Boolean(description="List the item first.")
    audience = graphene.Field(NewsAudience, description="Who sees the item; everyone by default.")
    audience_product_ids = graphene.List(graphene.NonNull(graphene.ID),
                                         description="Products whose customers see the item.")
    audience_organisation_ids = graphene.List(graphene.NonNull(graphene.ID),
                                              description="Organisations that see the item.")
    publish_at = graphene.DateTime(description="When the item shows once published; now when empty.")
    unpublish_at = graphene.DateTime(description="When the item stops showing.")


class CreateNewsPayload(graphene.ObjectType):
    news = graphene.Field(NewsArticle, required=True, description="The draft created.")


class CreateNews(graphene.Mutation):
    """Create a news item as a draft (agents)."""

    class Arguments:
        input = CreateNewsInput(required=True, description="Fields of the news item.")

    Output = CreateNewsPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> CreateNewsPayload:
        authorize(info, agent=True, scope="admin")
        article = await call(info, "news", "create_news", values=news_values(input))
        return CreateNewsPayload(news=article)


class PublishNewsInput(graphene.InputObjectType):
    news_id = graphene.ID(required=True, description="Global id of the draft.")


class PublishNews(graphene.Mutation):
    """Publish a news item; it shows from its publication time."""

    class Arguments:
        input = PublishNewsInput(required=True, description="The draft to publish.")

    Output = CreateNewsPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> CreateNewsPayload:
        authorize(info, agent=True, scope="admin")
        article_id = decode_global_id(input["news_id"], "NewsArticle")
        return CreateNewsPayload(news=await call(info, "news", "publish_news", article_id=article_id))


class MarkNewsReadInput(graphene.InputObjectType):
    news_id = graphene.ID(required=True, description="Global id of the news item.")


class MarkNewsRead(graphene.Mutation):
    """Record that the caller has read a news item."""

    class Arguments:
        input = MarkNewsReadInput(required=True, description="The news item read.")

    Output = CreateNewsPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> CreateNewsPayload:
        authorize(info, scope="news:read")
        article_id = decode_global_id(input["news_id"], "NewsArticle")
        return CreateNewsPayload(news=await call(info, "news", "mark_news_read", article_id=article_id))


def news_values(input: dict[str, Any]) -> dict[str, Any]:
    """Turn a news input into the service's values: enum values as text, times as ISO 8601."""
    values = dict(input)
    if values.get("audience") is not None:
        values["audience"] = getattr(values["audience"], "value", values["audience"])
    for key in ("publish_at", "unpublish_at"):
        if values.get(key) is not None:
            values[key] = values[key].isoformat()
    return values


class UpdateNewsInput(graphene.InputObjectType):
    news_id = graphene.ID(required=True, description="Global id of the news item.")
    title = graphene.String(description="New title, at most 200 characters.")
    summary = graphene.String(description="New summary, at most 500 characters.")
    body_markdown = graphene.String(description="New body in Markdown.")
    image_url = graphene.String(description="New illustration URL.")
    pinned = graphene.Boolean(description="Whether the item is listed first.")
    audience = graphene.Field(NewsAudience, description="New audience.")
    audience_product_ids = graphene.List(graphene.NonNull(graphene.ID),
                                         description="Products whose customers see the item.")
    audience_organisation_ids = graphene.List(graphene.NonNull(graphene.ID),
                                              description="Organisations that see the item.")
    publish_at = graphene.DateTime(description="New publication time.")
    unpublish_at = graphene.DateTime(description="New end of publication.")


class UpdateNews(graphene.Mutation):
    """Change a news item (agents); fields left out keep their value."""

    class Arguments:
        input = UpdateNewsInput(required=True, description="The item and the fields to change.")

    Output = CreateNewsPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> CreateNewsPayload:
        authorize(info, agent=True, scope="admin")
        values = news_values(input)
        article_id = decode_global_id(values.pop("news_id"), "NewsArticle")
        return CreateNewsPayload(news=await call(info, "news", "update_news", article_id=article_id,
                                                 changes=values))


class ArchiveNewsInput(graphene.InputObjectType):
    news_id = graphene.ID(required=True, description="Global id of the news item.")


class ArchiveNews(graphene.Mutation):
    """Withdraw a news item from every reader (agents)."""

    class Arguments:
        input = ArchiveNewsInput(required=True, description="The item to archive.")

    Output = CreateNewsPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> CreateNewsPayload:
        authorize(info, agent=True, scope="admin")
        article_id = decode_global_id(input["news_id"], "NewsArticle")
        return CreateNewsPayload(news=await call(info, "news", "archive_news", article_id=article_id))


class NewsMutation(graphene.ObjectType):
    create_news = CreateNews.Field()
    publish_news = PublishNews.Field()
    update_news = UpdateNews.Field()
    archive_news = ArchiveNews.Field()
    mark_news_read = MarkNewsRead.Field()


plugin = GraphQLPlugin(name="news", query=NewsQuery, mutation=NewsMutation, rpc_service="news")
