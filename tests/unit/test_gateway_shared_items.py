"""Public reference items are asked of their service once per SHARED_ITEM_SECONDS per gateway process."""
import asyncio
from typing import Any

import pytest

from gateway import context as context_module
from gateway.context import RequestContext, forget_shared_items
from services.common.caller import Caller

pytestmark = pytest.mark.unit


class Catalog:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []
        self.names = {"p1": "Carrus", "p2": "Channel Citoyens"}

    async def call(self, service: str, method: str, context: Any = None, **kwargs: Any) -> Any:
        assert (service, method) == ("catalog", "get_products")
        self.asked.append(kwargs["ids"])
        return [{"id": item, "name": self.names[item]} if item in self.names else None for item in kwargs["ids"]]


class Info:
    def __init__(self, context: RequestContext) -> None:
        self.context = context


def load(rpc: Catalog, ids: list[str]) -> list[Any]:
    request = RequestContext(request=None, rpc=rpc, caller=Caller())  # type: ignore[arg-type]

    async def run() -> list[Any]:
        return await context_module.loader(Info(request), "catalog", "get_products").load_many(ids)

    return asyncio.run(run())


@pytest.fixture(autouse=True)
def empty_cache():
    forget_shared_items("catalog", "get_products")
    yield
    forget_shared_items("catalog", "get_products")


def test_second_request_asks_only_for_what_is_missing():
    rpc = Catalog()

    first = load(rpc, ["p1", "unknown"])
    second = load(rpc, ["p1", "p2", "unknown"])

    assert [item and item["name"] for item in first] == ["Carrus", None]
    assert [item and item["name"] for item in second] == ["Carrus", "Channel Citoyens", None]
    # The unknown id is asked again: an item created meanwhile must appear.
    assert rpc.asked == [["p1", "unknown"], ["p2", "unknown"]]


def test_expired_and_forgotten_items_are_asked_again(monkeypatch):
    rpc = Catalog()
    load(rpc, ["p1"])

    rpc.names["p1"] = "Carrus 2"
    assert load(rpc, ["p1"])[0]["name"] == "Carrus"

    forget_shared_items("catalog", "get_products")
    assert load(rpc, ["p1"])[0]["name"] == "Carrus 2"

    # Kept already expired: the next request fetches the item again.
    monkeypatch.setattr(context_module, "SHARED_ITEM_SECONDS", -1.0)
    forget_shared_items("catalog", "get_products")
    load(rpc, ["p1"])
    rpc.names["p1"] = "Carrus 3"
    assert load(rpc, ["p1"])[0]["name"] == "Carrus 3"
