"""Helpers shared by the console's administration pages: role checks, form values, organisation names."""
from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.responses import Response

from gateway.portal.i18n import translations
from gateway.portal.operations import OperationResult, PageSession
from gateway.portal.rendering import render

# Codes that mean the platform failed, not the form: these show the unavailability page.
PLATFORM_FAILURES = ("SERVICE_UNAVAILABLE", "TIMEOUT", "INTERNAL")


def refuse_unless_staff(page: PageSession) -> Response | None:
    """Return a 403 page for customers, or None for agents and admins."""
    if page.context.caller.is_agent:
        return None
    _ = translations(page.language).gettext
    return render(page, "message.html", status=403, title=_("Access denied"),
                  lines=[_("The console is for the support team.")])


def refuse_unless_admin(page: PageSession) -> Response | None:
    """Return a 403 page for anyone but administrators, or None for them."""
    if page.context.caller.is_admin:
        return None
    _ = translations(page.language).gettext
    return render(page, "message.html", status=403, title=_("Access denied"),
                  lines=[_("Only administrators manage this section; ask one of them.")])


def platform_failed(result: OperationResult) -> bool:
    return result.first_code() in PLATFORM_FAILURES


def text_value(form: FormData, name: str) -> str:
    return str(form.get(name, "")).strip()


def integer_value(form: FormData, name: str) -> int | str:
    """Return the field as an int, or the raw text when it is not one, so the form can show it again."""
    raw = text_value(form, name)
    try:
        return int(raw)
    except ValueError:
        return raw


async def organisation_names(page: PageSession, global_ids: list[str]) -> dict[str, str]:
    """Return the names of the organisations with these global ids, in one GraphQL operation.

    An organisation that the auth service does not know keeps its id as its name.
    """
    unique = list(dict.fromkeys(item for item in global_ids if item))
    if not unique:
        return {}
    variables = {f"o{index}": value for index, value in enumerate(unique)}
    arguments = ", ".join(f"${name}: ID!" for name in variables)
    fields = " ".join(f"{name}: node(id: ${name}) {{ ... on Organisation {{ name }} }}" for name in variables)
    result = await page.run(f"query Organisations({arguments}) {{ {fields} }}", variables)
    names = {value: value for value in unique}
    for name, value in variables.items():
        node = (result.data or {}).get(name)
        if node and node.get("name"):
            names[value] = node["name"]
    return names


async def all_nodes(page: PageSession, query: str, key: str, variables: dict[str, Any] | None = None,
                    max_pages: int = 20) -> tuple[list[dict[str, Any]], OperationResult]:
    """Run a connection query page after page (`$after`), and return every node and the last result.

    Stops at the first failed page, and after `max_pages` pages so that a huge list cannot hold the page.
    """
    found: list[dict[str, Any]] = []
    after = None
    for _page_number in range(max_pages):
        result = await page.run(query, {**(variables or {}), "after": after})
        if not result.ok or not result.data:
            return found, result
        connection = result.data[key]
        found += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    return found, result


def sorted_choices(names: dict[str, str]) -> list[dict[str, Any]]:
    """Return `{id, name}` choices ordered by name, for a select element."""
    return sorted(({"id": key, "name": value} for key, value in names.items()), key=lambda item: item["name"])
