"""Study API (mounted at /api/study/): next cards, ratings, undo, marks, statistics, settings.

Thin adapters: input is validated by serializers, the work is done by
`flashcards.services.study` (writes) and `flashcards.selectors.study` (reads), and every
study answer is built by `flashcards.study_payload`, which the browser page shares.  Students only
ever see and change their own state: every query is filtered by `request.user`, and a card
can only be studied from a set the user may read.  Instructors additionally see the
statistics and leeches of the classes they run.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from flashcards.api.study_serializers import (
    CardStateResponseSerializer,
    ClassroomStatisticsSerializer,
    ErrorSerializer,
    FitQueuedSerializer,
    FlagSerializer,
    LeechesSerializer,
    NextResponseSerializer,
    NextSerializer,
    ParameterFitsSerializer,
    ReviewResponseSerializer,
    ReviewSerializer,
    ScopeSerializer,
    SettingsSerializer,
    StatisticsSerializer,
    SuspendSerializer,
    UndoResponseSerializer,
    UndoSerializer,
)
from flashcards.models import CardState, StudySettings, User
from flashcards.permissions import request_user
from flashcards.selectors import study as selectors
from flashcards.selectors import study_statistics as statistics
from flashcards.services import study as services
from flashcards.study_payload import (
    api_datetime,
    restored_entry_payload,
    state_payload,
    study_payload,
)

# --- answers shared with the browser page (frontend/views/study.py adds its demo HTML) ----


def next_answer(user: User, data: dict) -> dict:
    """GET next: the scope's next cards (flashcards/study_payload.py builds them)."""
    scope = _scope_of(user, data)
    return study_payload(
        user, scope, mode=data["mode"], limit=data.get("limit", 1), held=data.get("held", ())
    )


def review_answer(user: User, data: dict) -> tuple[dict, int]:
    """POST a rating; with `next` the answer carries the scope's next cards as well.

    The scope is read first, so a rating sent with a scope the student may not study is
    refused (404) before anything is stored.  The next cards are read after the rating has
    committed: the rated card is never handed back with the state it had before.
    """
    scope = _scope_of(user, data) if data.get("next") else None
    try:
        outcome = services.submit_review(
            student=user,
            card_id=data["card"],
            rating=data["rating"],
            client_review_id=data["client_review_id"],
            duration_ms=data.get("duration_ms"),
            expected_version=data.get("expected_version"),
            cram=data["mode"] == "cram",
        )
    except services.CardNotAvailable as exc:
        return _error_body(exc), status.HTTP_404_NOT_FOUND
    except services.StaleCardState as exc:
        return _error_body(exc), status.HTTP_409_CONFLICT
    except services.StudyError as exc:
        return _error_body(exc), status.HTTP_400_BAD_REQUEST
    review = outcome.review
    answer = {
        "review": {
            "id": review.pk,
            "card": review.card_id,
            "rating": review.rating,
            "source": review.source,
            "reviewed_at": api_datetime(review.reviewed_at),
            "client_review_id": review.client_review_id,
        },
        "state": state_payload(outcome.state),
        "created": outcome.created,
    }
    if scope is not None:
        held = {*data.get("held", ()), review.card_id}
        answer["next"] = study_payload(
            user, scope, mode=data["mode"], limit=data["next"], held=sorted(held)
        )
    return answer, status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK


def undo_answer(user: User, data: dict) -> tuple[dict, int]:
    """POST undo: the restored card (to show again) and the scope's corrected counts."""
    scope = _scope_of(user, data)
    try:
        row = services.undo_last_review(student=user)
    except services.NothingToUndo as exc:
        return _error_body(exc), status.HTTP_409_CONFLICT
    counts = study_payload(user, scope, mode=data.get("mode", "study"), limit=0)
    settings_row = StudySettings.objects.filter(student=user).first()
    return {
        "card": row.card_id,
        "state": state_payload(row),
        "entry": restored_entry_payload(user, row, settings_row=settings_row),
        "counts": counts["counts"],
    }, status.HTTP_200_OK


def _error_body(exc: services.StudyError) -> dict:
    return {"detail": str(exc), "code": exc.code}


def _scope_of(user: User, data: dict) -> selectors.StudyScope:
    """The one scope parser: `set`, `classroom` or everything (validated by ScopeSerializer)."""
    return selectors.study_scope(user, set_id=data.get("set"), classroom_id=data.get("classroom"))


def _error(exc: services.StudyError, code: int = status.HTTP_400_BAD_REQUEST) -> Response:
    return Response(_error_body(exc), status=code)


def _scope(request: Request, data: dict) -> selectors.StudyScope:
    return _scope_of(request_user(request), data)


# --- views ------------------------------------------------------------------------------------

NOT_AVAILABLE = OpenApiResponse(ErrorSerializer, description="No such card in a set you can study.")
CARD_MARK_RESPONSES = {200: CardStateResponseSerializer, 404: NOT_AVAILABLE}


class NextCardsView(APIView):
    """GET: the next card(s) to study in a set (?set=), a class (?classroom=) or everything."""

    @extend_schema(parameters=[NextSerializer], responses={200: NextResponseSerializer})
    def get(self, request):
        params = NextSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(next_answer(request.user, params.validated_data))


class ReviewView(APIView):
    """POST: rate a card 1–5.  201 when stored, 200 when this client_review_id already was.

    With `next` (and the scope), the answer also carries the scope's next cards."""

    @extend_schema(
        request=ReviewSerializer,
        responses={
            201: ReviewResponseSerializer,
            200: OpenApiResponse(
                ReviewResponseSerializer, description="This client_review_id was stored before."
            ),
            400: OpenApiResponse(description="A field is invalid (named in the answer)."),
            404: NOT_AVAILABLE,
            409: OpenApiResponse(
                ErrorSerializer, description="The card changed since it was shown."
            ),
        },
    )
    def post(self, request):
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answer, code = review_answer(request.user, body.validated_data)
        return Response(answer, status=code)


def _card_state(row: CardState) -> Response:
    return Response({"card": row.card_id, "state": state_payload(row)})


class UndoView(APIView):
    """POST: undo the latest rating; the card's state is put back exactly."""

    @extend_schema(
        request=UndoSerializer,
        responses={
            200: UndoResponseSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Nothing (more) to undo."),
        },
    )
    def post(self, request):
        body = UndoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answer, code = undo_answer(request.user, body.validated_data)
        return Response(answer, status=code)


class _CardMarkView(APIView):
    def respond(self, action):
        try:
            row = action()
        except services.CardNotAvailable as exc:
            return _error(exc, status.HTTP_404_NOT_FOUND)
        return _card_state(row)


class BuryView(_CardMarkView):
    """POST: hide the card until the student's next study day (4 a.m. local)."""

    @extend_schema(request=None, responses=CARD_MARK_RESPONSES)
    def post(self, request: Request, card_id: int) -> Response:
        return self.respond(
            lambda: services.bury_card(student=request_user(request), card_id=card_id)
        )


class SuspendView(_CardMarkView):
    """POST {"suspended": true|false}."""

    @extend_schema(request=SuspendSerializer, responses=CARD_MARK_RESPONSES)
    def post(self, request: Request, card_id: int) -> Response:
        body = SuspendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.respond(
            lambda: services.set_suspended(
                student=request_user(request),
                card_id=card_id,
                suspended=body.validated_data["suspended"],
            )
        )


class FlagView(_CardMarkView):
    """POST {"flagged": true|false}."""

    @extend_schema(request=FlagSerializer, responses=CARD_MARK_RESPONSES)
    def post(self, request: Request, card_id: int) -> Response:
        body = FlagSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.respond(
            lambda: services.set_flagged(
                student=request_user(request),
                card_id=card_id,
                flagged=body.validated_data["flagged"],
            )
        )


class StatisticsView(APIView):
    """GET: the student's own statistics for a set, a class, or everything they study."""

    @extend_schema(parameters=[ScopeSerializer], responses={200: StatisticsSerializer})
    def get(self, request):
        params = ScopeSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        scope = _scope(request, params.validated_data)
        stats = statistics.student_statistics(request.user, scope.set_ids)
        return Response(StatisticsSerializer(stats).data)


class LeechesView(APIView):
    """GET: the student's leeches; with ?classroom= an instructor gets the class's leeches."""

    @extend_schema(parameters=[ScopeSerializer], responses={200: LeechesSerializer})
    def get(self, request):
        params = ScopeSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if "classroom" in data and request.user.is_instructor:
            classroom = statistics.owned_classroom(request.user, data["classroom"])
            rows = statistics.classroom_leeches(classroom)
        else:
            scope = _scope(request, data) if data else None
            rows = statistics.student_leeches(request.user, scope.set_ids if scope else None)
        leeches = [
            {
                "student": {"id": row.student_id, "username": row.student.username},
                "card": row.card_id,
                "question": row.card.question_id,
                "question_title": str(row.card.question),
                "question_set": {"id": row.question_set_id, "title": row.question_set.title},
                "lapses": row.lapses,
                "suspended": row.suspended,
            }
            for row in rows.select_related("student")[:500]
        ]
        return Response(LeechesSerializer({"leeches": leeches}).data)


class ClassroomStatisticsView(APIView):
    """GET: per-student progress of a class, for the instructor who runs it."""

    @extend_schema(responses={200: ClassroomStatisticsSerializer})
    def get(self, request: Request, classroom_id: int) -> Response:
        if not request_user(request).is_instructor:
            raise PermissionDenied("Only instructors see class statistics.")
        classroom = statistics.owned_classroom(request_user(request), classroom_id)
        stats = statistics.classroom_statistics(classroom)
        return Response(ClassroomStatisticsSerializer(stats).data)


class SettingsView(APIView):
    """GET / PATCH the student's study settings (desired retention 0.70–0.97, steps, …)."""

    @extend_schema(responses={200: SettingsSerializer})
    def get(self, request):
        return Response(SettingsSerializer(services.get_study_settings(student=request.user)).data)

    @extend_schema(request=SettingsSerializer, responses={200: SettingsSerializer})
    def patch(self, request):
        body = SettingsSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        try:
            row = services.update_study_settings(student=request.user, **body.validated_data)
        except DjangoValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response(SettingsSerializer(row).data)


class OptimiseView(APIView):
    """POST: queue a fit of the student's FSRS parameters; GET: the latest fits."""

    @extend_schema(responses={200: ParameterFitsSerializer})
    def get(self, request):
        fits = request.user.parameter_fits.all()[:10]
        return Response(ParameterFitsSerializer({"fits": fits}).data)

    @extend_schema(
        request=None,
        responses={
            202: FitQueuedSerializer,
            409: OpenApiResponse(ErrorSerializer, description="A fit is already queued."),
        },
    )
    def post(self, request):
        fit = services.request_parameter_fit(student=request.user)
        if fit is None:
            return Response(
                {"detail": "A fit is already queued or running.", "code": "fit_pending"},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(FitQueuedSerializer(fit).data, status=status.HTTP_202_ACCEPTED)
