"""GraphQL entry points of the TOTP second factor: enrolment by the account itself, and the staff setting.

The second step of sign-in, `verifySecondFactor`, sits beside `login` in `services.auth.graphql`.
"""
from __future__ import annotations

from typing import Any

import graphene

from gateway.connections import decode_global_id
from gateway.context import authorize, call
from services.auth.graphql_types import SecuritySettings, User


class SecondFactorEnrolment(graphene.ObjectType):
    """The secret, otpauth URI and QR code from which an authenticator app generates the account's codes."""

    secret = graphene.String(required=True, description="The base32 secret, for typing into the app by hand.")
    otpauth_uri = graphene.String(required=True, description="The `otpauth://totp/...` URI the QR code contains.")
    qr_code_svg = graphene.String(required=True, description="The QR code of `otpauthUri` as an inline SVG element.")


class StartSecondFactorEnrolmentPayload(graphene.ObjectType):
    enrolment = graphene.Field(SecondFactorEnrolment, required=True,
                               description="The pending secret; the same one until it is confirmed.")


class StartSecondFactorEnrolment(graphene.Mutation):
    """Create a TOTP secret for the caller's account, to scan into an authenticator app; still off until confirmed."""

    Output = StartSecondFactorEnrolmentPayload

    async def mutate(self, info: Any) -> StartSecondFactorEnrolmentPayload:
        authorize(info, allow_second_factor_enrolment=True)
        return StartSecondFactorEnrolmentPayload(enrolment=await call(info, "auth", "start_second_factor_enrolment"))


class SecondFactorCodeInput(graphene.InputObjectType):
    code = graphene.String(required=True, description="The 6-digit code the authenticator app shows now.")


class RecoveryCodesPayload(graphene.ObjectType):
    recovery_codes = graphene.List(
        graphene.NonNull(graphene.String), required=True,
        description="Ten single-use codes that replace a TOTP code once each; shown only this once.")


class ConfirmSecondFactorEnrolment(graphene.Mutation):
    """Enable the pending second factor with a first code from the app; returns the recovery codes."""

    class Arguments:
        input = SecondFactorCodeInput(required=True, description="A code generated from the pending secret.")

    Output = RecoveryCodesPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> RecoveryCodesPayload:
        authorize(info, allow_second_factor_enrolment=True)
        result = await call(info, "auth", "confirm_second_factor_enrolment", code=input["code"])
        return RecoveryCodesPayload(recovery_codes=result["recovery_codes"])


class RegenerateRecoveryCodes(graphene.Mutation):
    """Replace every recovery code of the caller's account; the old ones stop working."""

    class Arguments:
        input = SecondFactorCodeInput(required=True, description="A current code from the authenticator app.")

    Output = RecoveryCodesPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> RecoveryCodesPayload:
        authorize(info)
        result = await call(info, "auth", "regenerate_recovery_codes", code=input["code"])
        return RecoveryCodesPayload(recovery_codes=result["recovery_codes"])


class DisableSecondFactorInput(graphene.InputObjectType):
    current_password = graphene.String(required=True, description="The account's password.")
    code = graphene.String(required=True, description="A code from the authenticator app, or a recovery code.")


class DisableSecondFactorPayload(graphene.ObjectType):
    user = graphene.Field(User, required=True, description="The account, which now signs in with its password only.")


class DisableSecondFactor(graphene.Mutation):
    """Turn the second factor off and delete its recovery codes."""

    class Arguments:
        input = DisableSecondFactorInput(required=True, description="The password and a valid code.")

    Output = DisableSecondFactorPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> DisableSecondFactorPayload:
        authorize(info)
        user = await call(info, "auth", "disable_second_factor", current_password=input["current_password"],
                          code=input["code"])
        return DisableSecondFactorPayload(user=user)


class UpdateSecuritySettingsInput(graphene.InputObjectType):
    second_factor_required_for_staff = graphene.Boolean(
        description="Require a second factor of agents and admins; left out keeps the current value.")


class UpdateSecuritySettingsPayload(graphene.ObjectType):
    security_settings = graphene.Field(SecuritySettings, required=True, description="The settings as they are now.")


class UpdateSecuritySettings(graphene.Mutation):
    """Change platform-wide security settings (admins only); each change goes to the security audit log."""

    class Arguments:
        input = UpdateSecuritySettingsInput(required=True, description="The settings to change.")

    Output = UpdateSecuritySettingsPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> UpdateSecuritySettingsPayload:
        authorize(info, admin=True, scope="admin")
        values = {"second_factor_required_for_staff": input.get("second_factor_required_for_staff")}
        return UpdateSecuritySettingsPayload(
            security_settings=await call(info, "auth", "update_security_settings", values=values))


class ResetSecondFactorInput(graphene.InputObjectType):
    user_id = graphene.ID(required=True, description="Global id of the account that lost its second factor.")


class ResetSecondFactorPayload(graphene.ObjectType):
    user = graphene.Field(User, required=True, description="The account, which now signs in with its password only.")


class ResetSecondFactor(graphene.Mutation):
    """Remove another account's second factor and end its sessions, for an owner who lost both their
    authenticator and recovery codes. Admins may reset any account, customer managers their organisation's."""

    class Arguments:
        input = ResetSecondFactorInput(required=True, description="The account to reset.")

    Output = ResetSecondFactorPayload

    async def mutate(self, info: Any, input: dict[str, Any]) -> ResetSecondFactorPayload:
        authorize(info, scope="admin")
        user_id = decode_global_id(input["user_id"], "User", "userId")
        return ResetSecondFactorPayload(user=await call(info, "auth", "reset_second_factor", user_id=user_id))


class SecondFactorQuery(graphene.ObjectType):
    security_settings = graphene.Field(SecuritySettings, required=True,
                                       description="Platform-wide security settings (agents and admins).")

    async def resolve_security_settings(self, info: Any) -> dict[str, Any]:
        authorize(info, agent=True)
        return await call(info, "auth", "get_security_settings")


class SecondFactorMutation(graphene.ObjectType):
    start_second_factor_enrolment = StartSecondFactorEnrolment.Field()
    confirm_second_factor_enrolment = ConfirmSecondFactorEnrolment.Field()
    regenerate_recovery_codes = RegenerateRecoveryCodes.Field()
    disable_second_factor = DisableSecondFactor.Field()
    update_security_settings = UpdateSecuritySettings.Field()
    reset_second_factor = ResetSecondFactor.Field()
