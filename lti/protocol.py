"""PyLTI1p3, set up for this site: where it finds platforms and keys, where it keeps state
and nonces, how long it waits on a platform, and which refusal each failed check becomes.

All of the protocol (OIDC login, the id_token's signature, state, nonce, deployment and
message checks, deep-linking response JWTs, OAuth2 tokens for the grade service) is the
library's; this module adds two things to it:

- every check the library makes is wrapped so that its failure is a `lti.refusals` type;
- a nonce is *consumed* by the launch that used it.  The library only checks that the nonce
  was issued (it stays in the cache for a day), so the same id_token and state posted twice
  would sign in twice; here the second is a `ReplayedLaunch`.  The consuming delete is
  atomic in both cache backends the site uses (database and Redis).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import requests
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from pylti1p3.contrib.django import (
    DjangoCacheDataStorage,
    DjangoDbToolConf,
    DjangoMessageLaunch,
    DjangoOIDCLogin,
)
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool
from pylti1p3.contrib.django.session import DjangoSessionService
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.message_launch import TLaunchData
from pylti1p3.registration import Registration
from pylti1p3.roles import DesignerRole, StaffRole, TeacherRole

from lti import refusals

T = TypeVar("T")
CACHE_ALIAS = "default"  # shared by web processes and workers (database or Redis)


class TimeoutSession(requests.Session):
    """The library's HTTP client (platform keys, tokens, scores) with a timeout: without
    one, a platform that never answers would hold a web process or a worker forever."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", settings.LTI_HTTP_TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


def http_session() -> requests.Session:
    session = TimeoutSession()
    session.headers["User-Agent"] = "quizsite-lti (PyLTI1p3)"
    return session


class ToolConf(DjangoDbToolConf):
    """The admin's platform registrations, with an unknown one refused by name."""

    def get_lti_tool(self, iss: str, client_id: str | None) -> LtiTool:
        try:
            return super().get_lti_tool(iss, client_id)
        except LtiException as error:
            raise refusals.UnknownPlatform(str(error)) from error

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Deployment:
        deployment = super().find_deployment_by_params(iss, deployment_id, client_id)
        if deployment is None:
            raise refusals.UnknownDeployment(f"deployment {deployment_id!r} of {iss}")
        return deployment

    def registration(self, *, issuer: str, client_id: str) -> Registration:
        return self.find_registration_by_params(issuer, client_id)


class LaunchStorage(DjangoCacheDataStorage):
    """Nonces, state and launch data in the site's cache, which every process shares."""

    def __init__(self) -> None:
        super().__init__(cache_name=CACHE_ALIAS)

    def consume_value(self, key: str) -> bool:
        """Delete the key; True only for the one caller that found it there."""
        return bool(self._get_cache().delete(self._prepare_key(key)))


class SessionService(DjangoSessionService):
    def consume_nonce(self, nonce: str) -> bool:
        storage = self.data_storage
        assert isinstance(storage, LaunchStorage)
        return storage.consume_value(self._get_key("nonce", nonce))


def _refuse(refusal: type[refusals.LaunchRefused], step: Callable[[], T]) -> T:
    """Run one of the library's checks; its LtiException becomes `refusal`."""
    try:
        return step()
    except refusals.LaunchRefused:
        raise
    except (LtiException, OIDCException) as error:
        raise refusal(str(error)) from error


class MessageLaunch(DjangoMessageLaunch):
    """The library's launch validation, each failure named, and the nonce used up."""

    def __init__(self, request: HttpRequest) -> None:
        try:  # over HTTPS the storage needs the login's session-id cookie, or refuses
            super().__init__(
                request,
                ToolConf(),
                session_service=SessionService(request),  # type: ignore[arg-type]
                launch_data_storage=LaunchStorage(),
                requests_session=http_session(),
            )
        except LtiException as error:
            raise refusals.ExpiredLogin(str(error)) from error

    def validate_state(self):
        return _refuse(refusals.ExpiredLogin, super().validate_state)

    def validate_jwt_format(self):
        return _refuse(refusals.LaunchRefused, super().validate_jwt_format)

    def validate_nonce(self):
        return _refuse(refusals.ReplayedLaunch, super().validate_nonce)

    def validate_registration(self):
        return _refuse(refusals.UnknownPlatform, super().validate_registration)

    def validate_jwt_signature(self):
        return _refuse(refusals.TamperedToken, super().validate_jwt_signature)

    def validate_deployment(self):
        return _refuse(refusals.UnknownDeployment, super().validate_deployment)

    def validate_message(self):
        return _refuse(refusals.LaunchRefused, super().validate_message)

    def validate(self):
        try:
            super().validate()
        except refusals.LaunchRefused:
            raise
        except (LtiException, OIDCException) as error:
            raise refusals.LaunchRefused(str(error)) from error
        nonce = self._get_jwt_body().get("nonce", "")
        session = self._session_service
        assert isinstance(session, SessionService)
        if not session.consume_nonce(nonce):
            self._validated = False
            raise refusals.ReplayedLaunch("nonce already used by another launch")
        return self

    @classmethod
    def restore(cls, launch_id: str, request: HttpRequest) -> MessageLaunch:
        """A validated launch kept in the cache (deep linking's second step)."""
        launch = cls(request)
        data = launch.get_session_service().get_launch_data(launch_id)
        if not data:
            raise refusals.ExpiredLogin(f"launch {launch_id} is not in the cache")
        launch.set_launch_id(launch_id).set_auto_validation(enable=False).set_jwt(
            {"body": data}
        ).set_restored()
        _refuse(refusals.UnknownPlatform, launch.validate_registration)
        return launch

    def forget(self) -> bool:
        """Remove the kept launch; True only for the one caller that found it."""
        storage = self._session_service.data_storage
        assert isinstance(storage, LaunchStorage)
        return storage.consume_value(self._launch_id)

    def claims(self) -> TLaunchData:
        return self.get_launch_data()

    def registered_tool(self):
        """The admin's `LtiTool` row this launch came through."""
        conf = self.get_tool_conf()
        assert isinstance(conf, ToolConf)
        return conf.get_lti_tool(self.get_iss(), self.get_client_id())


class OIDCLogin(DjangoOIDCLogin):
    def __init__(self, request: HttpRequest) -> None:
        super().__init__(
            request,
            ToolConf(),
            session_service=SessionService(request),  # type: ignore[arg-type]
            launch_data_storage=LaunchStorage(),
        )

    def redirect_to_platform(self, launch_url: str) -> HttpResponse:
        return _refuse(refusals.LaunchRefused, lambda: self.redirect(launch_url))


def launch_says_instructor(claims: TLaunchData) -> bool:
    """Instructors, content developers and administrators of the platform or course."""
    return any(role(claims).check() for role in (TeacherRole, DesignerRole, StaffRole))
