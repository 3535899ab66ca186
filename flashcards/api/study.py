"""Study API (mounted at /api/study/): next cards, ratings, undo, marks, statistics, settings.

Thin adapters: input is validated by serializers, the work is done by
`flashcards.services.study` (writes) and `flashcards.selectors.study` (reads).  Students only
ever see and change their own state: every query is filtered by `request.user`, and a card
can only be studied from a set the user may read.  Instructors additionally see the
statistics and leeches of the classes they run.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from flashcards import scheduling
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
)
from flashcards.models import CardState, StudySettings
from flashcards.selectors import study as selectors
from flashcards.services import study as services
from flashcards.study_faces import card_faces

STATE_NAMES = {
    CardState.State.NEW: "new",
    CardState.State.LEARNING: "learning",
    CardState.State.REVIEW: "review",
    CardState.State.RELEARNING: "relearning",
}


# --- presentation -----------------------------------------------------------------------------


# The next-card and rating answers are built here as the JSON they become, not through their
# response serializers: on the hot path those serializers cost ~0.5 ms a request (DRF deep-copies
# every nested field for each answer) to copy values that are already the right types.  The
# serializers stay the documented contract (OpenAPI) and tests/flashcards/test_study_api.py
# checks that each answer is a fixed point of its serializer.  Datetimes are the one value that
# needs rendering; DRF's own field does it, in the time zone the request activated.
_DATETIME = serializers.DateTimeField()


def api_datetime(value: datetime | None) -> str | None:
    """A datetime as the API writes it: ISO 8601 in the user's time zone, as DRF renders it."""
    return None if value is None else _DATETIME.to_representation(value)


def state_payload(row: CardState | None) -> dict:
    if row is None:
        return {
            "state": "new",
            "due": None,
            "stability": None,
            "difficulty": None,
            "reps": 0,
            "lapses": 0,
            "flagged": False,
            "suspended": False,
            "buried_until": None,
            "is_leech": False,
            "version": 0,
        }
    return {
        "state": STATE_NAMES[row.state],
        "due": api_datetime(row.due),
        "stability": row.stability,
        "difficulty": row.difficulty,
        "reps": row.reps,
        "lapses": row.lapses,
        "flagged": row.flagged,
        "suspended": row.suspended,
        "buried_until": api_datetime(row.buried_until),
        "is_leech": row.is_leech,
        "version": row.version,
    }


def entry_payload(entry: selectors.QueueEntry, scheduler: scheduling.StudyScheduler, now) -> dict:
    card = entry.card
    question = card.question
    front, back = card_faces(card)
    memory = services.memory_state(entry.state)
    return {
        "queue": entry.queue,
        "card": {
            "id": card.pk,
            "side": card.side,
            "ordinal": card.ordinal,
            "question_set": card.question_set_id,
            "question": {
                "id": question.pk,
                "kind": question.kind,
                "title": question.title,
                "choices": [
                    {"id": c.pk, "text_html": c.text_html, "is_correct": c.is_correct}
                    for c in question.prefetched_choices
                ],
            },
            "front_html": front,
            "back_html": back,
        },
        "state": state_payload(entry.state),
        "retrievability": round(scheduler.retrievability(memory, now), 4),
        "intervals": {str(k): int(v) for k, v in scheduler.preview(memory, now).items()},
    }


def _error(exc: services.StudyError, code=status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"detail": str(exc), "code": exc.code}, status=code)


def _scope(request, data: dict) -> selectors.StudyScope:
    return selectors.study_scope(
        request.user, set_id=data.get("set"), classroom_id=data.get("classroom")
    )


# --- views ------------------------------------------------------------------------------------

NOT_AVAILABLE = OpenApiResponse(ErrorSerializer, description="No such card in a set you can study.")
CARD_MARK_RESPONSES = {200: CardStateResponseSerializer, 404: NOT_AVAILABLE}


class NextCardsView(APIView):
    """GET: the next card(s) to study in a set (?set=), a class (?classroom=) or everything."""

    @extend_schema(parameters=[NextSerializer], responses={200: NextResponseSerializer})
    def get(self, request):
        params = NextSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        scope = _scope(request, data)
        now = timezone.now()
        limit = data.get("limit", 1)
        if data["mode"] == "cram":
            services.ensure_cards(set_ids=scope.set_ids)
            queue = selectors.cram_queue(request.user, scope.set_ids, limit=limit, now=now)
            settings_row = StudySettings.objects.filter(student=request.user).first()
        else:
            queue = services.next_in_queue(
                student=request.user, set_ids=scope.set_ids, limit=limit, now=now
            )
            settings_row = queue.settings
        scheduler = services.scheduler_for(settings_row)
        body = {
            "mode": data["mode"],
            "cards": [entry_payload(e, scheduler, now) for e in queue.entries],
            "counts": queue.counts,
            "new_today": queue.new_today,
            "new_limit": queue.new_limit,
            "day_ends_at": api_datetime(queue.day_end),
        }
        return Response(body)


class ReviewView(APIView):
    """POST: rate a card 1–5.  201 when stored, 200 when this client_review_id already was."""

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
        data = body.validated_data
        try:
            outcome = services.submit_review(
                student=request.user,
                card_id=data["card"],
                rating=data["rating"],
                client_review_id=data["client_review_id"],
                duration_ms=data.get("duration_ms"),
                expected_version=data.get("expected_version"),
                cram=data["mode"] == "cram",
            )
        except services.CardNotAvailable as exc:
            return _error(exc, status.HTTP_404_NOT_FOUND)
        except services.StaleCardState as exc:
            return _error(exc, status.HTTP_409_CONFLICT)
        except services.StudyError as exc:
            return _error(exc)
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
        return Response(
            answer, status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK
        )


def _card_state(row: CardState) -> Response:
    return Response({"card": row.card_id, "state": state_payload(row)})


class UndoView(APIView):
    """POST: undo the latest rating; the card's state is put back exactly."""

    @extend_schema(
        request=None,
        responses={
            200: CardStateResponseSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Nothing (more) to undo."),
        },
    )
    def post(self, request):
        try:
            row = services.undo_last_review(student=request.user)
        except services.NothingToUndo as exc:
            return _error(exc, status.HTTP_409_CONFLICT)
        return _card_state(row)


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
    def post(self, request, card_id: int):
        return self.respond(lambda: services.bury_card(student=request.user, card_id=card_id))


class SuspendView(_CardMarkView):
    """POST {"suspended": true|false}."""

    @extend_schema(request=SuspendSerializer, responses=CARD_MARK_RESPONSES)
    def post(self, request, card_id: int):
        body = SuspendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.respond(
            lambda: services.set_suspended(
                student=request.user, card_id=card_id, suspended=body.validated_data["suspended"]
            )
        )


class FlagView(_CardMarkView):
    """POST {"flagged": true|false}."""

    @extend_schema(request=FlagSerializer, responses=CARD_MARK_RESPONSES)
    def post(self, request, card_id: int):
        body = FlagSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.respond(
            lambda: services.set_flagged(
                student=request.user, card_id=card_id, flagged=body.validated_data["flagged"]
            )
        )


class StatisticsView(APIView):
    """GET: the student's own statistics for a set, a class, or everything they study."""

    @extend_schema(parameters=[ScopeSerializer], responses={200: StatisticsSerializer})
    def get(self, request):
        params = ScopeSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        scope = _scope(request, params.validated_data)
        stats = selectors.student_statistics(request.user, scope.set_ids)
        return Response(StatisticsSerializer(stats).data)


class LeechesView(APIView):
    """GET: the student's leeches; with ?classroom= an instructor gets the class's leeches."""

    @extend_schema(parameters=[ScopeSerializer], responses={200: LeechesSerializer})
    def get(self, request):
        params = ScopeSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if "classroom" in data and request.user.is_instructor:
            classroom = selectors.owned_classroom(request.user, data["classroom"])
            rows = selectors.classroom_leeches(classroom)
        else:
            scope = _scope(request, data) if data else None
            rows = selectors.student_leeches(request.user, scope.set_ids if scope else None)
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
    def get(self, request, classroom_id: int):
        if not request.user.is_instructor:
            raise PermissionDenied("Only instructors see class statistics.")
        classroom = selectors.owned_classroom(request.user, classroom_id)
        stats = selectors.classroom_statistics(classroom)
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
