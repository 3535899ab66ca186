"""REST API of quizzes: thin adapters over `quizzes.services` and `quizzes.selectors`.

A quiz or attempt the user may not see is a 404 (its existence is not confirmed); one they
may see but not act on is a 403; an action that does not fit the current state (finished,
time is up, no attempts left) is a 409 with a readable `detail` and a stable `code`; input
that does not fit is a 400 with field errors, and nothing already saved is lost.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from flashcards.permissions import request_user
from quizzes.api.serializers import (
    AnswerInputSerializer,
    AttemptListSerializer,
    InstructorGradeSerializer,
    QuizSerializer,
    QuizWriteSerializer,
    SelfRatingSerializer,
    SubmitInputSerializer,
)
from quizzes.grading.responses import ResponseError
from quizzes.models import Attempt, AttemptAnswer, Quiz
from quizzes.selectors.access import (
    attempts_for_results,
    attempts_visible_to,
    can_grade_attempt,
    can_manage_quiz,
    can_view_results,
    quizzes_visible_to,
    students_for_results,
)
from quizzes.selectors.gradebook import gradebook_csv, gradebook_rows
from quizzes.selectors.review import attempt_page, review_data
from quizzes.selectors.statistics import grading_queue, quiz_statistics
from quizzes.services import quizzes as quiz_services
from quizzes.services.attempts.answer import check_answer, save_answer, submit_attempt
from quizzes.services.attempts.finish import refresh_attempt
from quizzes.services.attempts.rating import grade_by_instructor, rate_own_answer
from quizzes.services.attempts.start import start_attempt
from quizzes.services.errors import ActionConflict, QuizActionError
from quizzes.services.regrade import regrade_quiz


def _refused(error: QuizActionError) -> Response:
    return Response({"detail": error.message, "code": error.code}, status=error.status_code)


def _invalid(errors, *, key: str | None = None) -> Response:
    return Response({key: errors} if key else errors, status=status.HTTP_400_BAD_REQUEST)


def _quiz(request, pk: int) -> Quiz:
    quiz = quizzes_visible_to(request.user).select_related("owner", "tag").filter(pk=pk).first()
    if quiz is None:
        raise Http404("No such quiz.")
    return quiz


def _attempt(request, pk: int) -> Attempt:
    attempt = (
        attempts_visible_to(request.user).select_related("quiz", "student").filter(pk=pk).first()
    )
    if attempt is None:
        raise Http404("No such attempt.")
    return attempt


def _reload(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_related("quiz", "student").get(pk=attempt.pk)


def _quiz_settings(data: dict) -> dict:
    settings = {
        key: value for key, value in data.items() if key not in {"question_ids", "classroom_ids"}
    }
    relations = {}
    if "question_ids" in data:
        relations["questions"] = data["question_ids"]
    if "classroom_ids" in data:
        relations["classrooms"] = data["classroom_ids"]
    return {**settings, **relations}


class QuizListCreateView(generics.ListAPIView):
    serializer_class = QuizSerializer

    def get_queryset(self):
        return (
            quizzes_visible_to(request_user(self.request))
            .select_related("owner", "tag")
            .prefetch_related("quiz_questions", "classrooms")
            .order_by("-created_at", "id")
        )

    @extend_schema(request=QuizWriteSerializer, responses={201: QuizSerializer})
    def post(self, request):
        if not request.user.is_instructor:
            raise PermissionDenied("Only instructors create quizzes.")
        serializer = QuizWriteSerializer(data=request.data)
        if not serializer.is_valid():
            return _invalid(serializer.errors)
        try:
            quiz = quiz_services.create_quiz(
                owner=request.user, **_quiz_settings(serializer.validated_data)
            )
        except DjangoValidationError as error:
            return _invalid(error.message_dict)
        return Response(QuizSerializer(quiz, context={"request": request}).data, status=201)


class QuizDetailView(APIView):
    @extend_schema(responses=QuizSerializer)
    def get(self, request, pk: int):
        quiz = _quiz(request, pk)
        return Response(QuizSerializer(quiz, context={"request": request}).data)

    @extend_schema(request=QuizWriteSerializer, responses=QuizSerializer)
    def patch(self, request, pk: int):
        quiz = _quiz(request, pk)
        if not can_manage_quiz(request.user, quiz):
            raise PermissionDenied("Only the quiz's owner changes it.")
        serializer = QuizWriteSerializer(data=request.data, partial=True)
        if not serializer.is_valid():
            return _invalid(serializer.errors)
        try:
            quiz = quiz_services.update_quiz(quiz=quiz, **_quiz_settings(serializer.validated_data))
        except DjangoValidationError as error:
            return _invalid(error.message_dict)
        return Response(QuizSerializer(quiz, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        quiz = _quiz(request, pk)
        if not can_manage_quiz(request.user, quiz):
            raise PermissionDenied("Only the quiz's owner deletes it.")
        try:
            quiz_services.delete_quiz(quiz=quiz)
        except QuizActionError as error:
            return _refused(error)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuizAttemptsView(generics.ListAPIView):
    """GET: the attempts at this quiz the user may see.  POST: start or resume an attempt."""

    serializer_class = AttemptListSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no quiz
            return Attempt.objects.none()
        quiz = _quiz(self.request, self.kwargs["pk"])
        return (
            attempts_visible_to(request_user(self.request))
            .filter(quiz=quiz)
            .select_related("quiz", "student")
            .order_by("student__username", "number")
        )

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        quiz = _quiz(request, pk)
        try:
            attempt, created = start_attempt(quiz=quiz, student=request.user)
        except QuizActionError as error:
            return _refused(error)
        attempt = _reload(attempt)
        return Response(
            attempt_page(attempt, viewer=request.user),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AttemptListView(generics.ListAPIView):
    serializer_class = AttemptListSerializer

    def get_queryset(self):
        queryset = attempts_visible_to(request_user(self.request)).select_related("quiz", "student")
        quiz_id = self.request.query_params.get("quiz")
        if quiz_id is not None:
            if not quiz_id.isdigit():
                raise Http404("No such quiz.")
            queryset = queryset.filter(quiz_id=int(quiz_id))
        state = self.request.query_params.get("state")
        if state in Attempt.State.values:
            queryset = queryset.filter(state=state)
        return queryset.order_by("-started_at", "-id")


class AttemptDetailView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        attempt = refresh_attempt(attempt=_attempt(request, pk))
        return Response(attempt_page(attempt, viewer=request.user))


class AttemptReviewView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        attempt = refresh_attempt(attempt=_attempt(request, pk))
        if not attempt.is_finished and attempt.student_id == request.user.pk:
            return _refused(
                ActionConflict("Submit the attempt to see its review.", code="not_finished")
            )
        return Response(review_data(attempt, viewer=request.user))


class AnswerView(APIView):
    """PUT: autosave one answer: {"response": {...}}."""

    @extend_schema(request=AnswerInputSerializer, responses=OpenApiTypes.OBJECT)
    def put(self, request, pk: int, slot: int):
        attempt = _attempt(request, pk)
        serializer = AnswerInputSerializer(data=request.data)
        if not serializer.is_valid():
            return _invalid(serializer.errors)
        try:
            answer = save_answer(
                attempt=attempt,
                student=request.user,
                slot=slot,
                response=serializer.validated_data["response"],
            )
        except ResponseError as error:
            return _invalid(error.errors, key="response")
        except QuizActionError as error:
            return _refused(error)
        return Response(
            {"slot": answer.slot, "response": answer.response, "saved_at": answer.saved_at}
        )


def _item(attempt: Attempt, slot: int, viewer) -> dict:
    page = attempt_page(_reload(attempt), viewer=viewer)
    return next(item for item in page["items"] if item["slot"] == slot)


class CheckAnswerView(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int, slot: int):
        attempt = _attempt(request, pk)
        try:
            check_answer(attempt=attempt, student=request.user, slot=slot)
        except QuizActionError as error:
            return _refused(error)
        return Response(_item(attempt, slot, request.user))


class SelfRatingView(APIView):
    @extend_schema(request=SelfRatingSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int, slot: int):
        attempt = _attempt(request, pk)
        serializer = SelfRatingSerializer(data=request.data)
        if not serializer.is_valid():
            return _invalid(serializer.errors)
        try:
            rate_own_answer(
                attempt=attempt,
                student=request.user,
                slot=slot,
                rating=serializer.validated_data["rating"],
            )
        except ResponseError as error:
            return _invalid(error.errors)
        except QuizActionError as error:
            return _refused(error)
        return Response(_item(attempt, slot, request.user))


class InstructorGradeView(APIView):
    @extend_schema(request=InstructorGradeSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int, slot: int):
        attempt = _attempt(request, pk)
        if not can_grade_attempt(request.user, attempt):
            raise PermissionDenied("Only the class's instructor grades this attempt.")
        answer = (
            AttemptAnswer.objects.filter(attempt=attempt, slot=slot)
            .select_related("attempt")
            .first()
        )
        if answer is None:
            raise Http404("No such question in this attempt.")
        serializer = InstructorGradeSerializer(data=request.data)
        if not serializer.is_valid():
            return _invalid(serializer.errors)
        data = serializer.validated_data
        try:
            grade_by_instructor(
                answer=answer,
                grader=request.user,
                points=data.get("points"),
                rubric_scores=data.get("rubric_scores"),
                comment=data.get("comment", ""),
            )
        except ResponseError as error:
            return _invalid(error.errors)
        except QuizActionError as error:
            return _refused(error)
        return Response(_item(attempt, slot, request.user))


class SubmitView(APIView):
    """POST {"answers": {"<slot>": response, ...}} (optional): finish and grade the attempt."""

    @extend_schema(request=SubmitInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        attempt = _attempt(request, pk)
        serializer = SubmitInputSerializer(data=request.data)
        if not serializer.is_valid():
            return _invalid(serializer.errors)
        try:
            attempt, submitted_now = submit_attempt(
                attempt=attempt,
                student=request.user,
                responses=serializer.validated_data.get("answers") or None,
            )
        except ResponseError as error:
            return _invalid(error.errors, key="answers")
        except QuizActionError as error:
            return _refused(error)
        page = attempt_page(_reload(attempt), viewer=request.user)
        return Response({**page, "submitted_now": submitted_now})


def _results_quiz(request, pk: int) -> Quiz:
    quiz = _quiz(request, pk)
    if not can_view_results(request.user, quiz):
        raise PermissionDenied("Only the quiz's instructors see its results.")
    return quiz


class QuizStatisticsView(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        quiz = _results_quiz(request, pk)
        return Response(quiz_statistics(quiz, attempts_for_results(request.user, quiz)))


class GradingQueueView(APIView):
    @extend_schema(responses={200: {"type": "array", "items": {"type": "object"}}})
    def get(self, request, pk: int):
        quiz = _results_quiz(request, pk)
        queue = grading_queue(attempts_for_results(request.user, quiz))
        return Response(
            [
                {
                    "attempt_id": answer.attempt_id,
                    "slot": answer.slot,
                    "student": answer.attempt.student.username,
                    "finished_at": answer.attempt.finished_at,
                    "prompt_html": answer.snapshot["prompt_html"],
                    "reference_html": answer.snapshot.get("answer_html", ""),
                    "rubric": answer.snapshot.get("rubric", []),
                    "response": answer.response,
                    "self_rating": answer.self_rating,
                    "max_mark": str(answer.max_mark),
                }
                for answer in queue
            ]
        )


class GradebookCsvView(APIView):
    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, pk: int):
        quiz = _results_quiz(request, pk)
        rows = gradebook_rows(
            quiz,
            students=students_for_results(request.user, quiz),
            attempts=attempts_for_results(request.user, quiz),
        )
        response = HttpResponse(gradebook_csv(rows), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d")
        response["Content-Disposition"] = (
            f'attachment; filename="quiz-{quiz.pk}-gradebook-{stamp}.csv"'
        )
        return response


class RegradeView(APIView):
    """GET: a dry run listing the attempts a regrade would change (old → new score);
    POST: apply it.  The quiz's owner only, as for its settings."""

    def _managed_quiz(self, request, pk: int) -> Quiz:
        quiz = _quiz(request, pk)
        if not can_manage_quiz(request.user, quiz):
            raise PermissionDenied("Only the quiz's owner regrades it.")
        return quiz

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        quiz = self._managed_quiz(request, pk)
        return Response(regrade_quiz(quiz=quiz, apply=False).as_dict())

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk: int):
        quiz = self._managed_quiz(request, pk)
        return Response(regrade_quiz(quiz=quiz, apply=True).as_dict())
