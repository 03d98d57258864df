"""Caller identity: what the gateway puts in the RPC context, checked by every service."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from services.common.errors import Forbidden, Unauthenticated

CONTEXT_KEY = "caller"
AGENT_ROLES = frozenset({"agent", "admin"})
CUSTOMER_ROLES = frozenset({"customer", "customer_manager"})


@dataclass(frozen=True)
class Caller:
    """The person or system behind a call.

    `scopes` is None for a person's session (the role decides) and the token's scopes for an API token.
    """

    user_id: str | None = None
    organisation_id: str | None = None
    role: str | None = None
    scopes: tuple[str, ...] | None = None
    language: str = "fr"
    token_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_internal(self) -> bool:
        """True for another service's own work (an event handler, a timer), done for no user."""
        return bool(self.extra.get("internal"))

    @property
    def is_agent(self) -> bool:
        return self.role in AGENT_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def has_scope(self, scope: str) -> bool:
        return self.scopes is None or scope in self.scopes or "admin" in self.scopes

    def require_authenticated(self) -> None:
        if not self.is_authenticated:
            raise Unauthenticated()

    def require_agent(self) -> None:
        self.require_authenticated()
        if not self.is_agent:
            raise Forbidden()

    def require_scope(self, scope: str) -> None:
        self.require_authenticated()
        if not self.has_scope(scope):
            raise Forbidden()

    def to_header(self) -> str:
        values = asdict(self)
        values["scopes"] = list(self.scopes) if self.scopes is not None else None
        return json.dumps(values, separators=(",", ":"))

    @classmethod
    def from_header(cls, raw: str | None) -> "Caller":
        if not raw:
            return cls()
        values = json.loads(raw)
        scopes = values.get("scopes")
        return cls(
            user_id=values.get("user_id"),
            organisation_id=values.get("organisation_id"),
            role=values.get("role"),
            scopes=tuple(scopes) if scopes is not None else None,
            language=values.get("language") or "fr",
            token_id=values.get("token_id"),
        )
