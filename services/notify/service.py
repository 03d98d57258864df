"""nameko entrypoints of the notify service.

Event handlers use durable queues with reliable delivery, so events published while notify is down
wait in RabbitMQ. Each handler applies an event once (`claim_event`), commits, and only then talks
to SMTP. A send that fails is retried by the `send_due_emails` timer with backoff, and an event whose
handling fails (the directory is down) by the `retry_deferred_events` timer.
"""
from __future__ import annotations

import logging
from typing import Any

from nameko.events import event_handler
from nameko.rpc import ServiceRpc
from nameko.timer import timer

from services.common.caller import Caller
from services.common.caller_provider import CallerProvider
from services.common.database import Database
from services.common.errors import Forbidden, ServiceError
from services.common.events import utc_now
from services.common.health import HealthMixin
from services.common.rpc_entrypoint import rpc
from services.notify import consumers, deliveries, digests, event_retries, inbox, preferences
from services.notify.directory import DirectoryRpc
from services.notify.messages import mail_domain
from services.notify.models import EmailDelivery
from services.notify.send_results import SendResults, SendResultsProvider
from services.notify.settings import MailSettings, MailSettingsProvider, digest_hour, event_retry_delays
from services.notify.transport import MailerPool, MailerPoolProvider

logger = logging.getLogger(__name__)

RETRY_INTERVAL_SECONDS = 1
EVENT_RETRY_INTERVAL_SECONDS = 2
DIGEST_INTERVAL_SECONDS = 60


class NotifyService(HealthMixin):
    name = "notify"

    # notify publishes no events, so it runs no outbox relay: the relay queries its table after
    # every worker, which took about 5 % of notify's time in the notification benchmark.
    db = Database()
    caller: Caller = CallerProvider()
    directory = DirectoryRpc()
    catalog_rpc = ServiceRpc("catalog")
    settings: MailSettings = MailSettingsProvider()
    mailers: MailerPool = MailerPoolProvider()
    send_results: SendResults = SendResultsProvider()

    def _require_admin(self) -> None:
        self.caller.require_authenticated()
        if not self.caller.is_admin:
            raise Forbidden()

    def _send(self, reserved: list[str] | None) -> None:
        if reserved:
            deliveries.send_claimed(self.db, self.mailers, self.send_results, reserved)

    def _send_rows(self, reserved: list[EmailDelivery] | None) -> None:
        if reserved:
            deliveries.send_reserved(self.mailers, self.send_results, reserved)

    def _handle(self, payload: dict[str, Any], handler: str) -> None:
        try:
            reserved = consumers.apply_event(self.db, self.directory, self.catalog_rpc, payload, handler,
                                             mail_domain(self.settings.mail_from))
        except Exception as exc:
            # nameko acknowledges an event whose handler raised, so the event is kept here instead.
            self.db.rollback()
            event_retries.defer(self.db, payload, handler, exc, event_retry_delays())
            return
        self._send_rows(reserved)

    @event_handler("tickets", "ticket_created")
    def handle_ticket_created(self, payload: dict[str, Any]) -> None:
        self._handle(payload, "handle_ticket_created")

    @event_handler("tickets", "ticket_status_changed")
    def handle_ticket_status_changed(self, payload: dict[str, Any]) -> None:
        self._handle(payload, "handle_ticket_status_changed")

    @event_handler("tickets", "ticket_message_posted")
    def handle_ticket_message_posted(self, payload: dict[str, Any]) -> None:
        self._handle(payload, "handle_ticket_message_posted")

    @event_handler("tickets", "ticket_assigned")
    def handle_ticket_assigned(self, payload: dict[str, Any]) -> None:
        self._handle(payload, "handle_ticket_assigned")

    @event_handler("tickets", "ticket_suspension_reminded")
    def handle_ticket_suspension_reminded(self, payload: dict[str, Any]) -> None:
        self._handle(payload, "handle_ticket_suspension_reminded")

    @event_handler("auth", "user_invited")
    def handle_user_invited(self, payload: dict[str, Any]) -> None:
        self._handle(payload, "handle_user_invited")

    @event_handler("auth", "password_reset_requested")
    def handle_password_reset_requested(self, payload: dict[str, Any]) -> None:
        self._handle(payload, "handle_password_reset_requested")

    @event_handler("news", "news_published")
    def handle_news_published(self, payload: dict[str, Any]) -> None:
        self._handle(payload, "handle_news_published")

    @timer(interval=EVENT_RETRY_INTERVAL_SECONDS)
    def retry_deferred_events(self) -> None:
        """Apply again the events whose handling failed, once their retry is due."""
        delays = event_retry_delays()
        for event_id, handler, payload in event_retries.claim_due(self.db, utc_now()):
            try:
                reserved = consumers.apply_event(self.db, self.directory, self.catalog_rpc, payload, handler,
                                                 mail_domain(self.settings.mail_from))
            except Exception as exc:
                self.db.rollback()
                event_retries.mark_failed_again(self.db, event_id, handler, exc, delays)
                continue
            event_retries.mark_applied(self.db, event_id, handler)
            self._send_rows(reserved)

    @timer(interval=RETRY_INTERVAL_SECONDS)
    def send_due_emails(self) -> None:
        """Send the queued e-mails whose next attempt is due (retries, and rows a dead worker left)."""
        self._send(deliveries.claim_due(self.db, utc_now()))
        self.mailers.close_idle()

    @timer(interval=DIGEST_INTERVAL_SECONDS)
    def send_daily_digests(self) -> None:
        cutoff = digests.latest_cutoff(utc_now(), digest_hour())
        self._send(digests.queue_digests(self.db, cutoff, mail_domain(self.settings.mail_from)))

    @rpc(expected_exceptions=ServiceError)
    def send_digests_now(self) -> int:
        """Queue and send every pending digest at once (admins); return how many were queued."""
        self._require_admin()
        reserved = digests.queue_digests(self.db, utc_now(), mail_domain(self.settings.mail_from))
        self._send(reserved)
        return len(reserved)

    @rpc(expected_exceptions=ServiceError)
    def list_notifications(self, first: int | None = None, after: str | None = None,
                           unread_only: bool = False) -> dict[str, Any]:
        """Return a page of the caller's notifications, newest first."""
        return inbox.list_notifications(self.db, self.caller, first, after, unread_only)

    @rpc(expected_exceptions=ServiceError)
    def count_unread_notifications(self) -> int:
        return inbox.count_unread(self.db, self.caller)

    @rpc(expected_exceptions=ServiceError)
    def get_notification(self, notification_id: str) -> dict[str, Any]:
        """Return one of the caller's notifications; raises NotificationNotFound for another user's."""
        return inbox.get_notification(self.db, self.caller, notification_id)

    @rpc(expected_exceptions=ServiceError)
    def mark_notification_read(self, notification_id: str) -> dict[str, Any]:
        """Mark one notification read; raises NotificationNotFound for another user's."""
        return inbox.mark_read(self.db, self.caller, notification_id)

    @rpc(expected_exceptions=ServiceError)
    def mark_all_notifications_read(self, before: str | None = None) -> int:
        """Mark the caller's notifications created up to `before` (ISO 8601; all when None) read."""
        return inbox.mark_all_read(self.db, self.caller, before)

    @rpc(expected_exceptions=ServiceError)
    def get_notification_preferences(self) -> list[dict[str, Any]]:
        return preferences.get_preferences(self.db, self.caller)

    @rpc(expected_exceptions=ServiceError)
    def update_notification_preferences(self, preferences_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Store the caller's choices; raises InvalidPreferences for an unknown kind or frequency."""
        return preferences.update_preferences(self.db, self.caller, preferences_list)

    @rpc(expected_exceptions=ServiceError)
    def list_email_deliveries(self, first: int | None = None, after: str | None = None,
                              status: str | None = None, recipient: str | None = None,
                              created_since: str | None = None, created_before: str | None = None) -> dict[str, Any]:
        """Return a page of the delivery log (admins); raises Forbidden for anyone else."""
        self._require_admin()
        return deliveries.list_deliveries(self.db, first, after, status, recipient, created_since, created_before)


SERVICE_CLASS = NotifyService
