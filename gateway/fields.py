"""Field helpers shared by the plugins.

Services send times as ISO 8601 text because RPC payloads are JSON. graphene's `DateTime` and `Date`
scalars serialise only `datetime` and `date` objects, so these fields parse the text on the way out.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

import graphene


def _parsing_resolver(key: str, parse: Callable[[str], Any]) -> Callable[[Any, Any], Any]:
    def resolve(root: Any, info: Any) -> Any:
        value = root.get(key) if isinstance(root, dict) else getattr(root, key, None)
        if value is None or value == "" or isinstance(value, (datetime, date)):
            return value or None
        return parse(value)

    return resolve


def datetime_field(key: str, description: str, required: bool = False) -> graphene.DateTime:
    """Build a DateTime field that reads the ISO 8601 text at `key` of the service's dict."""
    return graphene.DateTime(required=required, description=description,
                             resolver=_parsing_resolver(key, datetime.fromisoformat))


def date_field(key: str, description: str, required: bool = False) -> graphene.Date:
    """Build a Date field that reads the ISO 8601 text (YYYY-MM-DD) at `key` of the service's dict."""
    return graphene.Date(required=required, description=description,
                         resolver=_parsing_resolver(key, date.fromisoformat))
