"""What every quizzes endpoint shares: finding a quiz the user may see, and the answers for
refused actions and invalid input.

A quiz or attempt the user may not see is a 404 (its existence is not confirmed); one they
may see but not act on is a 403; an action that does not fit the current state (finished,
time is up, no attempts left) is a 409 with a readable `detail` and a stable `code`; input
that does not fit is a 400 with field errors, and nothing already saved is lost.
"""

from __future__ import annotations

from django.http import Http404
from rest_framework import status
from rest_framework.response import Response

from quizzes.models import Quiz
from quizzes.selectors.access import quizzes_visible_to
from quizzes.services.errors import QuizActionError


def refused(error: QuizActionError) -> Response:
    return Response({"detail": error.message, "code": error.code}, status=error.status_code)


def invalid(errors, *, key: str | None = None) -> Response:
    return Response({key: errors} if key else errors, status=status.HTTP_400_BAD_REQUEST)


def visible_quiz(request, pk: int) -> Quiz:
    quiz = quizzes_visible_to(request.user).select_related("owner", "tag").filter(pk=pk).first()
    if quiz is None:
        raise Http404("No such quiz.")
    return quiz
