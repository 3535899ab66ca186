"""Deep linking: what an instructor may choose, and the signed answer to the platform.

The platform asks (an `LtiDeepLinkingRequest` launch); the instructor picks one of their
quizzes or question sets; the answer is the library's `LtiDeepLinkingResponse` JWT, signed
with the tool's key, naming one LTI resource link whose custom parameter is the signed
content reference (`lti.content_refs`), and for a quiz a line item, so the platform makes a
grade column that the grade service then fills.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db.models import QuerySet
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from flashcards.models import QuestionSet, User
from lti import claims as names
from lti import content_refs, refusals
from lti.protocol import MessageLaunch
from lti.services.grades import SCORE_MAXIMUM
from quizzes.models import Quiz


def quizzes_to_link(user: User) -> QuerySet[Quiz]:
    return Quiz.objects.filter(owner=user).order_by("title", "pk")


def sets_to_link(user: User) -> QuerySet[QuestionSet]:
    """The instructor's own sets, except quiz-only ones (exam material is never studied)."""
    return (
        QuestionSet.objects.filter(owner=user)
        .exclude(visibility=QuestionSet.Visibility.QUIZ_ONLY)
        .order_by("title", "pk")
    )


def choices(user: User) -> list[tuple[str, str]]:
    quizzes = [(f"{content_refs.QUIZ}:{q.pk}", q.title) for q in quizzes_to_link(user)]
    sets = [(f"{content_refs.SET}:{s.pk}", s.title) for s in sets_to_link(user)]
    return quizzes + sets


def chosen(user: User, value: str) -> tuple[content_refs.ContentRef, str] | None:
    """The reference and title of a choice `user` may link; None for any other value."""
    kind, _sep, pk = value.partition(":")
    if kind not in content_refs.KINDS or not pk.isdigit():
        return None
    query = quizzes_to_link(user) if kind == content_refs.QUIZ else sets_to_link(user)
    content = query.filter(pk=int(pk)).first()
    if content is None:
        return None
    return content_refs.ContentRef(kind, content.pk), content.title


def return_url(launch: MessageLaunch) -> str:
    """Where the answer is posted: the platform's URL from the request's settings."""
    settings = names.section(launch.claims(), names.DEEP_LINKING_SETTINGS)
    url = settings.get("deep_link_return_url")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("https", "http"):
        raise refusals.LaunchRefused("the deep-linking request has no usable return URL")
    return url


def response_jwt(
    *, launch: MessageLaunch, ref: content_refs.ContentRef, title: str, launch_url: str
) -> str:
    tool = launch.registered_tool()
    resource = (
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(title)
        .set_custom_params(
            {
                content_refs.CUSTOM_PARAMETER: content_refs.sign(
                    ref, issuer=tool.issuer, client_id=tool.client_id
                )
            }
        )
    )
    if ref.kind == content_refs.QUIZ:
        resource.set_lineitem(
            LineItem()
            .set_score_maximum(SCORE_MAXIMUM)
            .set_label(title)
            .set_resource_id(f"quiz-{ref.pk}")
        )
    return launch.get_deep_link().get_response_jwt([resource])
