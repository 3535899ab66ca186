"""Why a launch is refused: one exception per reason, each with its page's words and status.

The library (PyLTI1p3) raises `LtiException` with an English sentence for every failure;
`lti.protocol` wraps each of the library's checks so the failure arrives here as one of
these, and the view shows a styled, translated page instead of the library's text (which
is logged).
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class LaunchRefused(Exception):
    status = 400
    code = "refused"
    title: str | Promise = _("The launch could not be completed")
    message: str | Promise = _(
        "Your learning platform sent a launch quizsite could not use. Open the activity "
        "again from your course; if it keeps failing, tell your instructor."
    )


class UnknownPlatform(LaunchRefused):
    status = 403
    code = "unknown_platform"
    title = _("This learning platform is not registered")
    message = _(
        "quizsite does not know the learning platform (or its client id) that sent this "
        "launch. An administrator registers the platform in quizsite's admin first."
    )


class UnknownDeployment(LaunchRefused):
    status = 403
    code = "unknown_deployment"
    title = _("This deployment is not registered")
    message = _(
        "The learning platform is registered, but not the deployment of quizsite this launch "
        "came from. An administrator adds its deployment id to the platform in the admin."
    )


class TamperedToken(LaunchRefused):
    status = 403
    code = "bad_signature"
    title = _("The launch could not be verified")
    message = _(
        "The sign-in message from your learning platform is not signed by the platform, has "
        "been changed on the way, or has expired. Open the activity again from your course."
    )


class ReplayedLaunch(LaunchRefused):
    status = 403
    code = "replayed"
    title = _("This launch has already been used")
    message = _(
        "Each launch from your learning platform works once. Open the activity again from "
        "your course to start a new one."
    )


class ExpiredLogin(LaunchRefused):
    status = 400
    code = "no_state"
    title = _("The launch expired or started in another browser")
    message = _(
        "quizsite could not match this launch to the sign-in that began it. Open the activity "
        "again from your course, in one browser window, with cookies allowed."
    )


class UnknownContent(LaunchRefused):
    status = 404
    code = "unknown_content"
    title = _("This activity opens nothing in quizsite")
    message = _(
        "The activity does not name a quiz or a question set of quizsite, or what it named "
        "has been deleted or changed. Your instructor chooses the content again in the course."
    )


class InstructorsOnly(LaunchRefused):
    status = 403
    code = "instructors_only"
    title = _("Only instructors choose content")
    message = _(
        "Choosing which quiz or question set an activity opens is for the course's "
        "instructors. Ask your instructor to set up the activity."
    )
