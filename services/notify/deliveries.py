"""The e-mail delivery log: queue, claim, send outside any transaction, retry with backoff.

A row is queued with `next_attempt_at` set one lease ahead, which reserves it for the worker that
created it. That worker sends it right after its commit, and `send_results` writes the outcome a
fraction of a second later. The retry timer picks up the rows whose time has come: failed sends,
and rows of a worker that died before sending or before its results were written. Claiming moves `next_attempt_at`
forward with a compare-and-set update, so two workers never send one row at the same moment.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.common.events import isoformat, utc_now
from services.common.pagination import paginate
from services.notify.exceptions import InvalidDeliveryFilter
from services.notify.messages import RenderedEmail, build_message
from services.notify.mime import can_encode, encode_message
from services.notify.models import DeliveryStatus, EmailDelivery, NotificationKind
from services.notify.send_results import SendResults
from services.notify.transport import DeliveryError, Mailer, MailerPool

logger = logging.getLogger(__name__)

# Longer than the SMTP timeout, so a row is never taken from a worker that is still sending it.
LEASE_SECONDS = 120
DUE_BATCH_SIZE = 50
ERROR_MAX_LENGTH = 2000
# Bodies of these kinds hold a single-use link; they are dropped once the row is final.
SECRET_KINDS = frozenset({NotificationKind.USER_INVITED, NotificationKind.PASSWORD_RESET_REQUESTED})
REDACTED_BODY = "[removed after sending: the message contained a single-use link]"


def retry_delay(failed_attempts: int, delays: tuple[int, ...]) -> int | None:
    """Return the seconds to wait after the `failed_attempts`-th failure, or None to give up."""
    if failed_attempts < 1 or failed_attempts > len(delays):
        return None
    return delays[failed_attempts - 1]


def lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=LEASE_SECONDS)


def claim_due(session: Session, now: datetime, limit: int = DUE_BATCH_SIZE) -> list[str]:
    """Reserve up to `limit` queued rows whose attempt is due; return their ids and commit."""
    due = session.execute(
        select(EmailDelivery.id, EmailDelivery.next_attempt_at)
        .where(EmailDelivery.status == DeliveryStatus.QUEUED, EmailDelivery.next_attempt_at <= now)
        .order_by(EmailDelivery.next_attempt_at)
        .limit(limit)
    ).all()
    claimed = []
    for delivery_id, previous in due:
        result = session.execute(
            update(EmailDelivery)
            .where(EmailDelivery.id == delivery_id, EmailDelivery.status == DeliveryStatus.QUEUED,
                   EmailDelivery.next_attempt_at == previous)
            .values(next_attempt_at=lease_end(now))
        )
        if result.rowcount == 1:
            claimed.append(delivery_id)
    session.commit()
    return claimed


def send_claimed(session: Session, mailers: MailerPool, results: SendResults, delivery_ids: list[str]) -> None:
    """Send the reserved rows over one SMTP session and add each outcome to `results`.

    A failure is recorded on its row and stops no other. An unexpected error leaves its row queued
    under its lease, so the retry timer takes it up once the lease ends.
    """
    if not delivery_ids:
        return
    rows = list(session.scalars(select(EmailDelivery).where(
        EmailDelivery.id.in_(delivery_ids), EmailDelivery.status == DeliveryStatus.QUEUED)))
    # End the read transaction before talking to SMTP: SQLite must not see a transaction held open.
    session.commit()
    send_reserved(mailers, results, rows)


def send_reserved(mailers: MailerPool, results: SendResults, rows: list[EmailDelivery]) -> None:
    """Send rows this worker has just committed under its lease, as `send_claimed` does, without reading them."""
    if not rows:
        return
    with mailers.session() as mailer:
        for delivery in rows:
            try:
                error, permanent = _deliver(mailer, delivery)
            except Exception:
                logger.exception("delivery %s: unexpected error while sending; the retry timer will take it up",
                                 delivery.id)
                continue
            results.add(attempt_result(delivery, mailer.settings.retry_delays, error, permanent))


def attempt_result(delivery: EmailDelivery, retry_delays: tuple[int, ...], error: str | None,
                   permanent: bool) -> dict[str, Any]:
    """Return the column values that record one attempt on `delivery`, keyed by its `id`, and log it."""
    now = utc_now()
    attempts = delivery.attempts + 1
    values: dict[str, Any] = {"id": delivery.id, "attempts": attempts, "updated_at": now}
    if error is None:
        values.update(status=DeliveryStatus.SENT, sent_at=now, last_error=None, next_attempt_at=None)
        logger.info("delivery %s (%s, event %s) sent after %d attempt(s)",
                    delivery.id, delivery.kind.value, delivery.event_id, attempts)
    else:
        delay = None if permanent else retry_delay(attempts, retry_delays)
        values["last_error"] = error[:ERROR_MAX_LENGTH]
        if delay is None:
            values.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
            logger.warning("delivery %s (%s, event %s) failed for good after %d attempt(s): %s",
                           delivery.id, delivery.kind.value, delivery.event_id, attempts, error)
        else:
            values.update(status=DeliveryStatus.QUEUED, next_attempt_at=now + timedelta(seconds=delay))
            logger.warning("delivery %s (%s) attempt %d failed; retry in %ss: %s",
                           delivery.id, delivery.kind.value, attempts, delay, error)
    if values["status"] != DeliveryStatus.QUEUED and delivery.kind in SECRET_KINDS:
        values.update(body_text=REDACTED_BODY, body_html=REDACTED_BODY)
    return values


def _deliver(mailer: Mailer, delivery: EmailDelivery) -> tuple[str | None, bool]:
    """Hand the row's message over; return the error text (None on success) and whether it is final."""
    rendered = RenderedEmail(subject=delivery.subject, text=delivery.body_text, html=delivery.body_html)
    mail_from = mailer.settings.mail_from
    build = encode_message if can_encode(mail_from, delivery.recipient) else build_message
    try:
        message = build(mail_from, delivery.recipient, None, rendered,
                        message_id=delivery.message_id, language=delivery.language)
    except ValueError as exc:
        return f"invalid message: {exc}", True
    try:
        mailer.deliver(message, delivery.recipient)
    except DeliveryError as exc:
        return str(exc), False
    return None, False


def list_deliveries(session: Session, first: int | None, after: str | None, status: str | None = None,
                    recipient: str | None = None, created_since: str | None = None,
                    created_before: str | None = None) -> dict[str, Any]:
    """Return a page of the delivery log, newest first, filtered by status, recipient address and
    creation time (`created_since` inclusive, `created_before` exclusive, ISO 8601 with offset).

    Raises InvalidDeliveryFilter for an unknown status or an unreadable time.
    """
    query = select(EmailDelivery).order_by(EmailDelivery.created_at.desc(), EmailDelivery.id)
    since = _filter_time(created_since, "createdSince")
    before = _filter_time(created_before, "createdBefore")
    if since is not None:
        query = query.where(EmailDelivery.created_at >= since)
    if before is not None:
        query = query.where(EmailDelivery.created_at < before)
    if status:
        try:
            query = query.where(EmailDelivery.status == DeliveryStatus(status))
        except ValueError:
            raise InvalidDeliveryFilter.for_status(status) from None
    if recipient:
        query = query.where(func.lower(EmailDelivery.recipient) == recipient.strip().lower())
    return paginate(session, query, first, after, serialize)


def _filter_time(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidDeliveryFilter.for_time(field, value) from None
    if moment.tzinfo is None:
        raise InvalidDeliveryFilter.for_time(field, value)
    # SQLite stores instants without their offset, so every comparison is made in UTC.
    return moment.astimezone(timezone.utc)


def serialize(delivery: EmailDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "user_id": delivery.user_id,
        "recipient": delivery.recipient,
        "subject": delivery.subject,
        "kind": delivery.kind.value,
        "language": delivery.language,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "event_id": delivery.event_id,
        "created_at": isoformat(delivery.created_at),
        "sent_at": isoformat(delivery.sent_at) if delivery.sent_at else None,
        "next_attempt_at": isoformat(delivery.next_attempt_at) if delivery.next_attempt_at else None,
        "updated_at": isoformat(delivery.updated_at),
    }
