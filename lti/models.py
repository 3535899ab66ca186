"""What quizsite remembers about LTI launches.

The platforms themselves (issuer, client id, endpoints, deployment ids) and the tool's key
pair are PyLTI1p3's tables (`LtiTool`, `LtiToolKey`), edited in the admin.  Here:

- `LtiIdentity`: which account a platform's user is, by the platform's issuer and the user's
  `sub` (never by email: a platform may reuse or let people change addresses);
- `LtiCourse`: the class that stands for a platform's course (its `context`), one per
  instructor whose content the course links, so the class has that instructor as owner;
- `LtiResourceLink`: an activity in the platform's course, the quiz or set it opens and the
  line item its grades go to;
- `PlatformGrade`: one student's grade for one activity, as the platform should hold it,
  with the state of sending it (the outbox the grade task reads).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from pylti1p3.contrib.django.lti1p3_tool_config.models import LtiTool

from flashcards.models import Classroom, QuestionSet
from quizzes.models import Quiz

CLAIM_MAX_LENGTH = 255  # issuer, sub, context and resource link ids (the spec's limit)
URL_MAX_LENGTH = 1024


class LtiIdentity(models.Model):
    issuer = models.CharField(max_length=CLAIM_MAX_LENGTH)
    subject = models.CharField(max_length=CLAIM_MAX_LENGTH)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_launch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("LTI identity")
        verbose_name_plural = _("LTI identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="unique_lti_identity")
        ]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"


class LtiCourse(models.Model):
    tool = models.ForeignKey(LtiTool, on_delete=models.CASCADE, related_name="+")
    context_id = models.CharField(max_length=CLAIM_MAX_LENGTH)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    classroom = models.OneToOneField(Classroom, on_delete=models.CASCADE, related_name="lti_course")
    title = models.CharField(max_length=CLAIM_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("LTI course")
        verbose_name_plural = _("LTI courses")
        constraints = [
            models.UniqueConstraint(
                fields=["tool", "context_id", "owner"], name="unique_lti_course_per_owner"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.context_id


class LtiResourceLink(models.Model):
    tool = models.ForeignKey(LtiTool, on_delete=models.CASCADE, related_name="+")
    resource_link_id = models.CharField(max_length=CLAIM_MAX_LENGTH)
    title = models.CharField(max_length=CLAIM_MAX_LENGTH, blank=True)
    course = models.ForeignKey(
        LtiCourse, null=True, blank=True, on_delete=models.SET_NULL, related_name="links"
    )
    quiz = models.ForeignKey(
        Quiz, null=True, blank=True, on_delete=models.CASCADE, related_name="lti_links"
    )
    question_set = models.ForeignKey(
        QuestionSet, null=True, blank=True, on_delete=models.CASCADE, related_name="lti_links"
    )
    # Assignment and Grade Services, from the launch's endpoint claim: blank when the platform
    # keeps no grade for the activity.
    lineitem_url = models.CharField(max_length=URL_MAX_LENGTH, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LTI activity")
        verbose_name_plural = _("LTI activities")
        constraints = [
            models.UniqueConstraint(
                fields=["tool", "resource_link_id"], name="unique_lti_resource_link"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.resource_link_id


class PlatformGrade(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("No finished attempt yet")
        PENDING = "pending", _("To be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    link = models.ForeignKey(LtiResourceLink, on_delete=models.CASCADE, related_name="grades")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_grades"
    )
    subject = models.CharField(max_length=CLAIM_MAX_LENGTH)  # the student's `sub` there
    percentage = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    needs_grading = models.BooleanField(default=False)
    scored_at = models.DateTimeField(null=True, blank=True)  # the score's AGS timestamp
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING)
    tries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("grade for a learning platform")
        verbose_name_plural = _("grades for learning platforms")
        constraints = [
            models.UniqueConstraint(fields=["link", "student"], name="unique_platform_grade")
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.link}"
