"""GraphQL types, queries and mutations of the notify service: notification centre, preferences, delivery log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import graphene
from graphene import relay

from gateway.connections import connection_from_page, decode_global_id
from gateway.fields import datetime_field
from gateway.context import authorize, call
from gateway.plugins import GraphQLPlugin

READ_SCOPE = "notifications:read"
WRITE_SCOPE = "notifications:write"


class NotificationKind(graphene.Enum):
    """Subject of a notification."""

    TICKET_CREATED = "ticket_created"
    TICKET_STATUS_CHANGED = "ticket_status_changed"
    TICKET_MESSAGE_POSTED = "ticket_message_posted"
    TICKET_ASSIGNED = "ticket_assigned"
    TICKET_SUSPENSION_REMINDED = "ticket_suspension_reminded"
    NEWS_PUBLISHED = "news_published"
    USER_INVITED = "user_invited"
    PASSWORD_RESET_REQUESTED = "password_reset_requested"
    DIGEST = "digest"


class EmailFrequency(graphene.Enum):
    """When e-mails of a kind go out."""

    IMMEDIATE = "immediate"
    DAILY = "daily"


class EmailDeliveryStatus(graphene.Enum):
    """Delivery state of an e-mail: queued for an attempt, accepted by the mail server, or failed for good."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class Notification(graphene.ObjectType):
    """An item of the caller's notification centre."""

    class Meta:
        interfaces = (relay.Node,)

    kind = graphene.Field(NotificationKind, required=True, description="What the notification is about.")
    title = graphene.String(required=True, description="One-line summary, in the recipient's language.")
    body = graphene.String(required=True, description="Optional excerpt (message text, news summary), plain text.")
    link = graphene.String(description="Page of the portal the notification is about.")
    subject_id = graphene.ID(description="Service id of the ticket or news item the notification is about.")
    created_at = datetime_field("created_at", "When the notification was created.", required=True)
    read_at = datetime_field("read_at", "When the caller marked it read; null while unread.")
    read = graphene.Boolean(required=True, description="Whether the caller has marked it read.")

    @staticmethod
    def resolve_read(root: dict[str, Any], info: Any) -> bool:
        return root.get("read_at") is not None

    @classmethod
    def is_type_of(cls, root: Any, info: Any) -> bool:
        return isinstance(root, dict) and "subject_id" in root and "read_at" in root

    @classmethod
    async def get_node(cls, info: Any, notification_id: str) -> dict[str, Any]:
        authorize(info, scope=READ_SCOPE)
        return await call(info, "notify", "get_notification", notification_id=notification_id)


class NotificationConnection(relay.Connection):
    class Meta:
        node = Notification

    total_count = graphene.Int(required=True, description="Number of notifications across all pages.")


class NotificationPreference(graphene.ObjectType):
    """The caller's choice for one kind of notification."""

    kind = graphene.Field(NotificationKind, required=True, description="Kind the choice applies to.")
    email_enabled = graphene.Boolean(required=True, description="Whether e-mails of this kind are sent.")
    in_app_enabled = graphene.Boolean(required=True, description="Whether the portal shows notifications of this kind.")
    email_frequency = graphene.Field(EmailFrequency, required=True,
                                     description="Each e-mail at once, or all of them in one e-mail a day.")


class EmailDelivery(graphene.ObjectType):
    """One e-mail of the delivery log: to whom, about what, and what became of it."""

    id = graphene.ID(required=True, description="Identifier of the log entry.")
    recipient = graphene.String(required=True, description="Address the e-mail was sent to.")
    user_id = graphene.ID(description="Service id of the recipient's account, when the e-mail went to a user.")
    subject = graphene.String(required=True, description="Subject line as sent.")
    kind = graphene.Field(NotificationKind, required=True, description="What the e-mail is about.")
    language = graphene.String(required=True, description="Language the e-mail was written in (fr or en).")
    status = graphene.Field(EmailDeliveryStatus, required=True, description="Current state of the delivery.")
    attempts = graphene.Int(required=True, description="Number of times the mail server was tried.")
    last_error = graphene.String(description="Error of the last failed attempt, as the mail server gave it.")
    event_id = graphene.ID(description="Id of the event that caused the e-mail.")
    created_at = datetime_field("created_at", "When the e-mail was queued.", required=True)
    sent_at = datetime_field("sent_at", "When the mail server accepted it.")
    next_attempt_at = datetime_field("next_attempt_at", "When the next attempt is due, while queued.")


class EmailDeliveryConnection(relay.Connection):
    class Meta:
        node = EmailDelivery

    total_count = graphene.Int(required=True, description="Number of log entries across all pages.")


def _enum_value(value: Any) -> Any:
    return getattr(value, "value", value)




class NotifyQuery(graphene.ObjectType):
    notifications = relay.ConnectionField(
        NotificationConnection, unread_only=graphene.Boolean(description="Only the notifications not yet read."),
        description="The caller's notifications, newest first.")
    unread_notification_count = graphene.Int(required=True, description="Number of the caller's unread notifications.")
    notification_preferences = graphene.List(
        graphene.NonNull(NotificationPreference), required=True,
        description="The caller's choice for every kind of notification that can be set.")
    email_deliveries = relay.ConnectionField(
        EmailDeliveryConnection,
        status=graphene.Argument(EmailDeliveryStatus, description="Only the e-mails in this state."),
        recipient=graphene.String(description="Only the e-mails sent to this address (case-insensitive)."),
        created_since=graphene.DateTime(description="Only the e-mails queued at or after this time."),
        created_before=graphene.DateTime(description="Only the e-mails queued before this time."),
        description="The e-mail delivery log, newest first (administrators).")

    async def resolve_notifications(self, info: Any, first: int | None = None, after: str | None = None,
                                    unread_only: bool | None = None, **_: Any) -> Any:
        authorize(info, scope=READ_SCOPE)
        page = await call(info, "notify", "list_notifications", first=first, after=after,
                          unread_only=bool(unread_only))
        return connection_from_page(NotificationConnection, page)

    async def resolve_unread_notification_count(self, info: Any) -> int:
        authorize(info, scope=READ_SCOPE)
        return int(await call(info, "notify", "count_unread_notifications"))

    async def resolve_notification_preferences(self, info: Any) -> list[dict[str, Any]]:
        authorize(info, scope=READ_SCOPE)
        return list(await call(info, "notify", "get_notification_preferences"))

    async def resolve_email_deliveries(self, info: Any, first: int | None = None, after: str | None = None,
                                       status: Any = None, recipient: str | None = None,
                                       created_since: datetime | None = None, created_before: datetime | None = None,
                                       **_: Any) -> Any:
        authorize(info, admin=True, scope="admin")
        page = await call(info, "notify", "list_email_deliveries", first=first, after=after,
                          status=_enum_value(status), recipient=recipient,
                          created_since=created_since.isoformat() if created_since else None,
                          created_before=created_before.isoformat() if created_before else None)
        return connection_from_page(EmailDeliveryConnection, page)


class MarkNotificationReadInput(graphene.InputObjectType):
    notification_id = graphene.ID(required=True, description="Global id of the notification.")


class MarkNotificationReadPayload(graphene.ObjectType):
    notification = graphene.Field(Notification, required=True, description="The notification, now read.")
    unread_count = graphene.Int(required=True, description="The caller's unread notifications left.")


class MarkNotificationRead(graphene.Mutation):
    """Mark one of the caller's notifications read."""

    class Arguments:
        input = MarkNotificationReadInput(required=True)

    Output = MarkNotificationReadPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> MarkNotificationReadPayload:
        authorize(info, scope=WRITE_SCOPE)
        notification_id = decode_global_id(input["notification_id"], "Notification", "notificationId")
        notification = await call(info, "notify", "mark_notification_read", notification_id=notification_id)
        unread = await call(info, "notify", "count_unread_notifications")
        return MarkNotificationReadPayload(notification=notification, unread_count=unread)


class MarkAllNotificationsReadInput(graphene.InputObjectType):
    before = graphene.DateTime(description="Only notifications created up to this time, so that ones arriving "
                                           "while the caller reads the list stay unread; all when empty.")


class MarkAllNotificationsReadPayload(graphene.ObjectType):
    marked_count = graphene.Int(required=True, description="Number of notifications marked read.")
    unread_count = graphene.Int(required=True, description="The caller's unread notifications left.")


class MarkAllNotificationsRead(graphene.Mutation):
    """Mark all of the caller's notifications read."""

    class Arguments:
        input = MarkAllNotificationsReadInput(required=True)

    Output = MarkAllNotificationsReadPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> MarkAllNotificationsReadPayload:
        authorize(info, scope=WRITE_SCOPE)
        before = input.get("before")
        marked = await call(info, "notify", "mark_all_notifications_read",
                            before=before.isoformat() if before is not None else None)
        unread = await call(info, "notify", "count_unread_notifications")
        return MarkAllNotificationsReadPayload(marked_count=marked, unread_count=unread)


class NotificationPreferenceInput(graphene.InputObjectType):
    kind = graphene.Field(NotificationKind, required=True, description="Kind the choice applies to.")
    email_enabled = graphene.Boolean(description="Send e-mails of this kind; unchanged when omitted.")
    in_app_enabled = graphene.Boolean(description="Show this kind in the portal; unchanged when omitted.")
    email_frequency = graphene.Field(EmailFrequency, description="At once or daily digest; unchanged when omitted.")


class UpdateNotificationPreferencesInput(graphene.InputObjectType):
    preferences = graphene.List(graphene.NonNull(NotificationPreferenceInput), required=True,
                                description="The choices to change, one per kind.")


class UpdateNotificationPreferencesPayload(graphene.ObjectType):
    preferences = graphene.List(graphene.NonNull(NotificationPreference), required=True,
                                description="All of the caller's choices after the change.")


class UpdateNotificationPreferences(graphene.Mutation):
    """Change how the caller hears about some kinds of notification."""

    class Arguments:
        input = UpdateNotificationPreferencesInput(required=True)

    Output = UpdateNotificationPreferencesPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> UpdateNotificationPreferencesPayload:
        authorize(info, scope=WRITE_SCOPE)
        changes = [
            {
                "kind": _enum_value(item["kind"]),
                "email_enabled": item.get("email_enabled"),
                "in_app_enabled": item.get("in_app_enabled"),
                "email_frequency": _enum_value(item.get("email_frequency")),
            }
            for item in input["preferences"]
        ]
        result = await call(info, "notify", "update_notification_preferences", preferences_list=changes)
        return UpdateNotificationPreferencesPayload(preferences=result)


class NotifyMutation(graphene.ObjectType):
    mark_notification_read = MarkNotificationRead.Field()
    mark_all_notifications_read = MarkAllNotificationsRead.Field()
    update_notification_preferences = UpdateNotificationPreferences.Field()


plugin = GraphQLPlugin(name="notify", query=NotifyQuery, mutation=NotifyMutation, rpc_service="notify")
