"""A validated launch, applied: the account it signs in, the class it joins, the activity.

`lti.protocol` has checked everything the library checks before these run; they trust the
claims of a verified id_token, and nothing else (the content reference in the custom
parameters is checked again here, since a platform's teacher can edit those).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

from flashcards.models import Classroom, Membership, QuestionSet, User
from flashcards.services.classes import assign_set
from flashcards.services.study.cards import ensure_cards
from lti import claims as names
from lti import content_refs, refusals
from lti.models import (
    CLAIM_MAX_LENGTH,
    URL_MAX_LENGTH,
    LtiCourse,
    LtiIdentity,
    LtiResourceLink,
    PlatformGrade,
)
from quizzes.models import Quiz

NAME_MAX_LENGTH = 150  # User.first_name / last_name
CLASS_NAME_MAX_LENGTH = 200  # Classroom.name


@dataclass(frozen=True)
class Destination:
    """The page a launch ends on: a URL name of the site's pages and its one argument."""

    url_name: str
    pk: int


def username_for(issuer: str, subject: str) -> str:
    """A stable, opaque username: the platform's ids may be long or personal (an email)."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()
    return f"lti-{digest[:20]}"


def _names(claims: Mapping[str, Any]) -> dict[str, str]:
    return {
        "first_name": names.text(claims, "given_name", NAME_MAX_LENGTH),
        "last_name": names.text(claims, "family_name", NAME_MAX_LENGTH),
    }


def _language(claims: Mapping[str, Any]) -> str:
    """The site language nearest the platform's locale (`pt_BR` → `pt-br`), or ""."""
    locale = names.section(claims, names.LAUNCH_PRESENTATION).get("locale")
    if not isinstance(locale, str) or not locale:
        return ""
    try:
        return translation.get_supported_language_variant(translation.to_language(locale))
    except LookupError:
        return ""


def _new_account(
    *, issuer: str, subject: str, claims: Mapping[str, Any], instructor: bool
) -> LtiIdentity:
    username = username_for(issuer, subject)
    if User.objects.filter(username=username).exists():  # someone signed up with the name
        username = f"{username}-{secrets.token_hex(4)}"
    user = User(username=username, language=_language(claims), **_names(claims))
    user.role = User.Role.INSTRUCTOR if instructor else User.Role.STUDENT
    user.set_unusable_password()
    user.save()
    return LtiIdentity.objects.create(issuer=issuer, subject=subject, user=user)


@transaction.atomic
def account_for_launch(*, issuer: str, claims: Mapping[str, Any], instructor: bool) -> User:
    """The account of the platform's user `sub`, made on their first launch.

    Linked by issuer and `sub` only.  A new account has no password (it signs in through
    the platform) and speaks the platform's language.  The platform's instructor role makes
    an instructor; a later launch as a learner (the same person in another course) never
    takes the role away.
    """
    subject = claims["sub"]
    identity = (
        LtiIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is None:
        try:
            with transaction.atomic():
                identity = _new_account(
                    issuer=issuer, subject=subject, claims=claims, instructor=instructor
                )
        except IntegrityError:  # a concurrent first launch of the same person won the race
            identity = LtiIdentity.objects.select_related("user").get(
                issuer=issuer, subject=subject
            )
    user = identity.user
    changed = [
        field for field, value in _names(claims).items() if value and getattr(user, field) != value
    ]
    for field in changed:
        setattr(user, field, _names(claims)[field])
    if instructor and user.role != User.Role.INSTRUCTOR:
        user.role = User.Role.INSTRUCTOR
        changed.append("role")
    if changed:
        user.save(update_fields=changed)
    identity.last_launch_at = timezone.now()
    identity.save(update_fields=["last_launch_at"])
    return user


def _content(ref: content_refs.ContentRef) -> Quiz | QuestionSet:
    model = Quiz if ref.kind == content_refs.QUIZ else QuestionSet
    content = model.objects.filter(pk=ref.pk).first()
    if content is None:
        raise refusals.UnknownContent(f"{ref.kind} {ref.pk} does not exist")
    return content


def _course(tool: LtiTool, claims: Mapping[str, Any], owner: User) -> LtiCourse:
    """The class standing for the platform's course, owned by the content's owner."""
    context = names.section(claims, names.CONTEXT)
    context_id = str(context.get("id", ""))[:CLAIM_MAX_LENGTH]
    title = str(context.get("title") or context.get("label") or "")[:CLAIM_MAX_LENGTH]
    course = LtiCourse.objects.filter(tool=tool, context_id=context_id, owner=owner).first()
    if course is None:
        name = (title or tool.title or tool.issuer)[:CLASS_NAME_MAX_LENGTH]
        classroom = Classroom.objects.create(owner=owner, name=name)
        course = LtiCourse.objects.create(
            tool=tool, context_id=context_id, owner=owner, classroom=classroom, title=title
        )
    return course


@transaction.atomic
def open_activity(*, tool: LtiTool, claims: Mapping[str, Any], user: User) -> Destination:
    """Record the activity and put `user` in its course's class; returns where to go.

    The quiz (or set) is given to the class, so its members may take (or study) it, and a
    student who opens a graded quiz gets a `PlatformGrade` row, which finished attempts fill.
    """
    custom = names.section(claims, names.CUSTOM)
    ref = content_refs.read(
        custom.get(content_refs.CUSTOM_PARAMETER), issuer=tool.issuer, client_id=tool.client_id
    )
    if ref is None:
        raise refusals.UnknownContent("no valid content reference in the custom parameters")
    content = _content(ref)
    owner = content.owner
    resource = names.section(claims, names.RESOURCE_LINK)
    endpoint = names.section(claims, names.AGS_ENDPOINT)
    scope = endpoint.get("scope")
    scopes = [s for s in scope if isinstance(s, str)] if isinstance(scope, list) else []
    lineitem = endpoint.get("lineitem") if names.SCORE_SCOPE in scopes else ""
    if not isinstance(lineitem, str) or len(lineitem) > URL_MAX_LENGTH:
        lineitem = ""  # no grade service we could use
    course = _course(tool, claims, owner)
    link, _created = LtiResourceLink.objects.update_or_create(
        tool=tool,
        resource_link_id=str(resource["id"])[:CLAIM_MAX_LENGTH],
        defaults={
            "title": str(resource.get("title") or "")[:CLAIM_MAX_LENGTH],
            "course": course,
            "quiz": content if isinstance(content, Quiz) else None,
            "question_set": content if isinstance(content, QuestionSet) else None,
            "lineitem_url": lineitem,
            "ags_scopes": scopes,
        },
    )
    classroom = course.classroom
    if isinstance(content, Quiz):
        content.classrooms.add(classroom)
    elif not classroom.question_sets.filter(pk=content.pk).exists():
        try:
            assign_set(classroom=classroom, question_set=content, actor=owner)
        except (PermissionDenied, ValidationError) as error:  # e.g. made quiz-only since
            raise refusals.UnknownContent(f"set {content.pk} cannot be studied: {error}") from error
    if user.pk != owner.pk:
        Membership.objects.get_or_create(classroom=classroom, user=user)
        ensure_cards(set_ids=list(classroom.question_sets.values_list("pk", flat=True)))
        if link.quiz_id is not None and link.lineitem_url:
            PlatformGrade.objects.get_or_create(
                link=link, student=user, defaults={"subject": claims["sub"]}
            )
    if isinstance(content, Quiz):
        return Destination("quiz-page", content.pk)
    return Destination("set-detail", content.pk)
