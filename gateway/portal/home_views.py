"""Home page, profile and news."""
from __future__ import annotations

from typing import Any

from graphql_relay import to_global_id
from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.i18n import translations
from gateway.portal.operations import PageSession
from gateway.portal.pages import failure, not_found, signed_in
from gateway.portal.rendering import render

ME_FIELDS = """
  me {
    user { id email firstName lastName displayName phone language }
    organisation { id name }
    role
    usageRights { supportAccess allProductSpaces }
    support { state blockers { code message } }
  }
"""
HOME = "{" + ME_FIELDS + """
  news(first: 5) { totalCount edges { node { id title summary publishAt read pinned } } }
  unreadNotificationCount
}"""
NEWS_PAGE = """
query News($after: String) {
  news(first: 20, after: $after) {
    edges { node { id title summary publishAt read pinned } }
    pageInfo { hasNextPage endCursor }
  }
}"""
NEWS_ITEM = """
query NewsItem($id: ID!) {
  node(id: $id) { ... on NewsArticle { id title summary bodyHtml publishAt read } }
}"""
MARK_READ = "mutation Read($input: MarkNewsReadInput!) { markNewsRead(input: $input) { news { id } } }"


def nodes(connection: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [edge["node"] for edge in (connection or {}).get("edges", [])]


async def support_enabled(page: PageSession) -> bool:
    result = await page.run("{ me { support { state } } }")
    return bool(result.ok and result.data and result.data["me"]["support"]["state"] == "ENABLED")


def is_support_enabled(me: dict[str, Any]) -> bool:
    return bool(me["support"]["state"] == "ENABLED")


@signed_in
async def home(request: Request, page: PageSession) -> Response:
    result = await page.run(HOME)
    if not result.ok:
        return failure(page, result)
    me = result.data["me"]
    news = nodes(result.data["news"])
    spaces = await page.run("{ productSpaces(first: 50) { edges { node { id name description } } } }")
    return render(page, "home.html", me=me, news=news, unread_notifications=result.data["unreadNotificationCount"],
                  unread_news=sum(1 for item in news if not item["read"]),
                  products=nodes(spaces.data["productSpaces"]) if spaces.ok and spaces.data else [],
                  support_enabled=is_support_enabled(me))


@signed_in
async def profile(request: Request, page: PageSession) -> Response:
    result = await page.run("{" + ME_FIELDS + "}")
    if not result.ok:
        return failure(page, result)
    me = result.data["me"]
    _ = translations(page.language).gettext
    role_labels = {"CUSTOMER": _("Customer"), "CUSTOMER_MANAGER": _("Customer manager"),
                   "AGENT": _("Support agent"), "ADMIN": _("Administrator")}
    return render(page, "profile.html", me=me, role_labels=role_labels, support_enabled=is_support_enabled(me))


@signed_in
async def news_list(request: Request, page: PageSession) -> Response:
    result = await page.run(NEWS_PAGE, {"after": request.query_params.get("apres")})
    if not result.ok:
        return failure(page, result)
    connection = result.data["news"]
    page_info = connection["pageInfo"]
    return render(page, "news_list.html", news=nodes(connection),
                  next_cursor=page_info["endCursor"] if page_info["hasNextPage"] else None,
                  support_enabled=await support_enabled(page))


@signed_in
async def news_detail(request: Request, page: PageSession) -> Response:
    news_id = request.path_params["news_id"]
    global_id = news_id if ":" not in news_id and len(news_id) > 36 else to_global_id("NewsArticle", news_id)
    result = await page.run(NEWS_ITEM, {"id": global_id})
    if not result.ok:
        return failure(page, result)
    item = result.data["node"]
    if item is None:
        return not_found(page)
    if not item["read"]:
        await page.run(MARK_READ, {"input": {"newsId": item["id"]}})
    return render(page, "news_detail.html", item=item, support_enabled=await support_enabled(page))
