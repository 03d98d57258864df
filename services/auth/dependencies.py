"""nameko dependencies of the auth service."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from services.common.caller import CONTEXT_KEY, Caller, CallerProvider


class AuthCallerProvider(CallerProvider):
    """Inject the `Caller`, marked internal when the call carries no caller at all.

    The gateway always sends a caller, anonymous or not. A call without one comes from another service's
    own work (an event handler, a command), which may read any account, for example to address an e-mail.
    """

    def get_dependency(self, worker_ctx: Any) -> Caller:
        caller = super().get_dependency(worker_ctx)
        if worker_ctx.context_data.get(CONTEXT_KEY) is None:
            return replace(caller, extra={"internal": True})
        return caller
