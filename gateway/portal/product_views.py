"""Product spaces: presentation, links, versions and the FAQ, with accent-insensitive search."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.portal.home_views import nodes, support_enabled
from gateway.portal.operations import PageSession
from gateway.portal.pages import failure, not_found, signed_in
from gateway.portal.rendering import render

SPACE = """
query Space($id: ID!) {
  node(id: $id) {
    ... on ProductSpace {
      id name description presentationHtml
      links { label url }
      versions { name releaseDate supported }
      product { id }
      faq(first: 100) { edges { node { id category question answerHtml } } }
    }
  }
}"""
SEARCH = """
query Search($query: String!, $productId: ID) {
  faqSearch(query: $query, productId: $productId, first: 20) { edges { node { id category question answerHtml } } }
}"""


@signed_in
async def product_space(request: Request, page: PageSession) -> Response:
    result = await page.run(SPACE, {"id": request.path_params["space_id"]})
    if not result.ok:
        return failure(page, result)
    if not result.data or not result.data["node"]:
        return not_found(page)
    space = result.data["node"]
    query = (request.query_params.get("q") or "").strip()
    found = None
    if query:
        search = await page.run(SEARCH, {"query": query, "productId": space["product"]["id"]})
        if not search.ok:
            return failure(page, search)
        found = nodes(search.data["faqSearch"])
    faq = nodes(space["faq"])
    categories: dict[str, list[dict]] = {}
    for entry in faq:
        categories.setdefault(entry["category"], []).append(entry)
    return render(page, "product_space.html", space=space, categories=categories, query=query, found=found,
                  support_enabled=await support_enabled(page))
