"""REST API of the demos: thin views over training.services and training.selectors.

Who may do what:
- anyone lists demos and reads runs and figures (a run is a computation of public code
  on its parameters; it carries no user data but a "requested by you" flag);
- signed-in users request runs (rate-limited: uncached runs per minute, unfinished runs);
- a question's attachments are read by whoever may view its set, and created, changed or
  deleted by whoever may edit it (flashcards.selectors.content decides both); a set the
  user may not view answers 404, as if it did not exist;
- viewers re-run an attachment with their own parameters, within the schema's bounds;
- digit prediction is open, throttled per user or address.
"""

from __future__ import annotations

import base64
import binascii
import io
import time

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from flashcards.models import Question
from quizsite.client_address import AddressRateThrottle
from training.api.serializers import (
    AttachmentCreateSerializer,
    AttachmentUpdateSerializer,
    DigitSerializer,
    RunRequestSerializer,
    attachment_json,
    demo_json,
    run_json,
)
from training.figures import translate_svg_text
from training.models import DemoRun
from training.params import DemoParameterError
from training.registry import all_demos, get_demo
from training.selectors.attachments import (
    attachment_with_question,
    attachments_for_question,
    needs_new_run,
    question_access,
)
from training.selectors.runs import figure_with_labels, run_for_display
from training.services import attachments as attachment_services
from training.services.runs import RateLimited, request_run
from training.texts import render

POLL_AGAIN_SECONDS = "1"
# 200 with the finished run, 202 (with Retry-After) while it is queued or running.
RUN_RESPONSES = {200: OpenApiTypes.OBJECT, 202: OpenApiTypes.OBJECT}


def _params_error(error: DemoParameterError) -> Response:
    return Response({"params": error.errors}, status=status.HTTP_400_BAD_REQUEST)


def _rate_limited(error: RateLimited) -> Response:
    response = Response({"detail": str(error)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    response["Retry-After"] = str(error.retry_after)
    return response


def _run_response(run: DemoRun, request, *, computed: bool | None = None) -> Response:
    body = run_json(run, user=request.user)
    if computed is not None:
        body["cached"] = not computed
    finished = run.is_finished
    response = Response(body, status=status.HTTP_200_OK if finished else status.HTTP_202_ACCEPTED)
    if not finished:
        response["Retry-After"] = POLL_AGAIN_SECONDS
    return response


def _demo_or_404(slug: str):
    try:
        return get_demo(slug)
    except LookupError:
        raise Http404(f"There is no demo called {slug!r}.") from None


def _require_signed_in(request) -> None:
    if not request.user.is_authenticated:
        raise NotAuthenticated("Sign in to run demos with your own parameters.")


class DemoListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="demos_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        return Response({"results": [demo_json(demo) for demo in all_demos()]})


class DemoDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="demos_retrieve", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, slug: str):
        return Response(demo_json(_demo_or_404(slug)))


class DemoRunRequestView(APIView):
    """POST {"params": {...}} → the run: 200 when finished (cached), 202 while queued."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="demos_runs_create",
        request=RunRequestSerializer,
        responses=RUN_RESPONSES,
    )
    def post(self, request, slug: str):
        demo = _demo_or_404(slug)
        _require_signed_in(request)
        serializer = RunRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            requested = request_run(
                demo_slug=demo.slug, params=serializer.validated_data["params"], user=request.user
            )
        except DemoParameterError as error:
            return _params_error(error)
        except RateLimited as error:
            return _rate_limited(error)
        return _run_response(requested.run, request, computed=requested.computed)


class DemoRunDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="demo_runs_retrieve", responses=RUN_RESPONSES)
    def get(self, request, run_id: int):
        run = run_for_display(run_id)
        if run is None:
            raise Http404("No such demo run.")
        return _run_response(run, request)


class DemoRunFigureView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="demo_runs_figure_retrieve", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, run_id: int, name: str):
        found = figure_with_labels(run_id, name)
        if found is None:
            raise Http404("No such figure (or the run has not finished).")
        svg, labels = found
        # The page asks in its language (?lang=); the URL differs per language, so the long
        # immutable cache below never serves one language's words to another.
        language = request.GET.get("lang", "")
        if language in dict(settings.LANGUAGES):
            with translation.override(language):
                computed = {label.get("text", ""): render(label) for label in labels}
                svg = translate_svg_text(svg, translation.gettext, computed)
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
        # Matplotlib's SVG has no scripts; this makes sure none could run if one slipped in.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        response["Cache-Control"] = "public, max-age=86400, immutable"
        return response


def _question_or_404(user, question_id: int) -> tuple[Question, bool]:
    question = get_object_or_404(Question.objects.select_related("question_set"), pk=question_id)
    may_view, may_edit = question_access(user, question)
    if not may_view:
        raise Http404("No such question.")
    return question, may_edit


def _attachment_or_404(user, attachment_id: int):
    attachment = attachment_with_question(attachment_id)
    if attachment is None:
        raise Http404("No such demo attachment.")
    may_view, may_edit = question_access(user, attachment.question)
    if not may_view:
        raise Http404("No such demo attachment.")
    return attachment, may_edit


class QuestionDemosView(APIView):
    """GET a question's demo attachments with their runs; POST attaches one (editors)."""

    permission_classes = [AllowAny]

    @extend_schema(operation_id="question_demos_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, question_id: int):
        question, may_edit = _question_or_404(request.user, question_id)
        attachments = [_current(a) for a in attachments_for_question(question)]
        return Response(
            {
                "results": [
                    attachment_json(a, user=request.user, can_edit=may_edit) for a in attachments
                ],
                "can_edit": may_edit,
            }
        )

    @extend_schema(
        operation_id="question_demos_create",
        request=AttachmentCreateSerializer,
        responses={201: OpenApiTypes.OBJECT},
    )
    def post(self, request, question_id: int):
        _require_signed_in(request)
        question, may_edit = _question_or_404(request.user, question_id)
        if not may_edit:
            raise PermissionDenied("Only the set's owner and co-editors can attach demos.")
        serializer = AttachmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            attachment = attachment_services.attach_demo(
                question=question,
                demo_slug=data["demo"],
                params=data["params"],
                caption=data["caption"],
                position=data.get("position"),
                user=request.user,
            )
        except LookupError as error:
            return Response({"demo": [str(error)]}, status=status.HTTP_400_BAD_REQUEST)
        except DemoParameterError as error:
            return _params_error(error)
        return Response(
            attachment_json(attachment, user=request.user, can_edit=True),
            status=status.HTTP_201_CREATED,
        )


def _current(attachment):
    """After a demo's upgrade, an attachment shows (and queues) the run of the new version."""
    if needs_new_run(attachment):
        return attachment_services.refresh_attachment_run(attachment=attachment)
    return attachment


class AttachmentDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="demo_attachments_retrieve", responses={200: OpenApiTypes.OBJECT})
    def get(self, request, attachment_id: int):
        attachment, may_edit = _attachment_or_404(request.user, attachment_id)
        attachment = _current(attachment)
        return Response(attachment_json(attachment, user=request.user, can_edit=may_edit))

    @extend_schema(
        operation_id="demo_attachments_partial_update",
        request=AttachmentUpdateSerializer,
        responses={200: OpenApiTypes.OBJECT},
    )
    def patch(self, request, attachment_id: int):
        _require_signed_in(request)
        attachment, may_edit = _attachment_or_404(request.user, attachment_id)
        if not may_edit:
            raise PermissionDenied("Only the set's owner and co-editors can change demos.")
        serializer = AttachmentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            attachment = attachment_services.update_attachment(
                attachment=attachment, user=request.user, **serializer.validated_data
            )
        except DemoParameterError as error:
            return _params_error(error)
        return Response(attachment_json(attachment, user=request.user, can_edit=True))

    @extend_schema(operation_id="demo_attachments_destroy", responses={204: None})
    def delete(self, request, attachment_id: int):
        _require_signed_in(request)
        attachment, may_edit = _attachment_or_404(request.user, attachment_id)
        if not may_edit:
            raise PermissionDenied("Only the set's owner and co-editors can remove demos.")
        attachment_services.delete_attachment(attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentRunView(APIView):
    """POST {"params": {...}}: re-run an attached demo with your own parameters.

    Parameters not given keep the attachment's values (not the demo's defaults), so a
    student changes one thing, e.g. the learning rate, and keeps the rest of the setup.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="demo_attachments_runs_create",
        request=RunRequestSerializer,
        responses=RUN_RESPONSES,
    )
    def post(self, request, attachment_id: int):
        _require_signed_in(request)
        attachment, _ = _attachment_or_404(request.user, attachment_id)
        serializer = RunRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = {**attachment.params, **serializer.validated_data["params"]}
        try:
            requested = request_run(demo_slug=attachment.demo, params=params, user=request.user)
        except DemoParameterError as error:
            return _params_error(error)
        except RateLimited as error:
            return _rate_limited(error)
        return _run_response(requested.run, request, computed=requested.computed)


class DigitPredictionThrottle(AddressRateThrottle):
    scope = "digit-prediction"

    def get_rate(self):
        return f"{settings.DIGIT_PREDICTIONS_PER_MINUTE}/min"

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return f"throttle_digit_prediction_{ident}"


def _decode_image(data_url: str):
    from PIL import Image, UnidentifiedImageError

    encoded = data_url.split(",", 1)[1] if data_url.startswith("data:") else data_url
    try:
        raw = base64.b64decode(encoded, validate=True)
        image = Image.open(io.BytesIO(raw))
        image.load()
    except (binascii.Error, ValueError, UnidentifiedImageError, OSError):
        raise DigitInputError("'image' is not a base64-encoded PNG or JPEG image") from None
    if image.width > 1024 or image.height > 1024:
        raise DigitInputError("the image must be at most 1024×1024 pixels")
    if image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info:
        # A canvas drawing is often ink on a transparent background: put it on white.
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))  # type: ignore[assignment]
    import numpy as np

    return np.asarray(image.convert("L"), dtype=np.float32)


class DigitInputError(ValueError):
    pass


class DigitPredictionView(APIView):
    """POST a drawing → the digit CNN's probabilities, from a model kept warm in this process."""

    permission_classes = [AllowAny]
    throttle_classes = [DigitPredictionThrottle]

    @extend_schema(
        operation_id="digit_predictions_create",
        request=DigitSerializer,
        # 503 while the digit model is trained for its first use (with Retry-After).
        responses={200: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        from training.digit_model import CheckpointMissing
        from training.prediction import predict_digit
        from training.preprocess import DrawingError

        serializer = DigitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        started = time.perf_counter()
        try:
            pixels = serializer.validated_data.get("pixels")
            if pixels is None:
                pixels = _decode_image(serializer.validated_data["image"])
            prediction = predict_digit(pixels)
        except (DrawingError, DigitInputError) as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        except CheckpointMissing:
            training = request_run(demo_slug="digit-cnn-training", params={}, enforce_limits=False)
            response = Response(
                {
                    "detail": (
                        "The digit model is being trained for its first use; try again in a "
                        "minute or two."
                    ),
                    "training_run": run_json(training.run, user=request.user),
                },
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
            response["Retry-After"] = "30"
            return response
        prediction["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return Response(prediction)
