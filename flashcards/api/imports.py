"""Import API: upload → preview (counts per kind, problems) → confirm; and set exports.

    POST   /api/imports/                 multipart: file, [format], [question_set], [title]
    GET    /api/imports/<id>/            the preview again
    POST   /api/imports/<id>/confirm/    save everything, or nothing
    DELETE /api/imports/<id>/            discard the pending upload
    GET    /api/exports/<set id>/<fmt>/  download a set (json, gift, csv, tsv, apkg, aiken)

Every refusal is a 4xx with `problems` (line, column, message, severity); nothing here turns
bad input into a 500.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import DataError, IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from flashcards.formats import EXPORT_FORMATS, IMPORT_FORMATS, ImportFormatError, Problem
from flashcards.models import ImportSession, QuestionSet
from flashcards.selectors.content import (
    can_view_set,
    questions_with_hidden_keys,
    sets_visible_to,
)
from flashcards.selectors.exports import export_formats_for, export_question_set
from flashcards.services import import_preview as checks
from flashcards.services import imports as service


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    format = serializers.ChoiceField(choices=IMPORT_FORMATS, required=False, allow_blank=True)
    question_set = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    separator = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=16,
        help_text="CSV/TSV: between term and definition ('tab', 'comma', 'semicolon', or text).",
    )
    row_separator = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=16,
        help_text="CSV/TSV: between cards ('newline', 'blank' for blank lines, or text).",
    )
    quoting = serializers.ChoiceField(
        choices=["auto", "on", "off"], required=False, allow_blank=True
    )


class ProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    column = serializers.IntegerField()
    message = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])
    code = serializers.CharField(
        help_text="A stable name of the class of problem (e.g. image-not-imported); may be empty."
    )
    dropped = serializers.BooleanField(required=False)


class PreviewProblemSerializer(ProblemSerializer):
    # A response field named like Field.source / Field.label (documents output only).
    source = serializers.CharField(help_text="The file's line, for text formats.")  # type: ignore[assignment]


class ProblemClassSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=["error", "warning"])
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class RefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    problems = ProblemSerializer(many=True)


class PreviewQuestionSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    prompt = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    filename = serializers.CharField()
    format = serializers.CharField()
    size = serializers.IntegerField()
    question_set = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    total = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    media = serializers.IntegerField(help_text="Images that will be stored with the questions.")
    problems = PreviewProblemSerializer(many=True, help_text="The first problems, by line.")
    problems_total = serializers.IntegerField()
    classes = ProblemClassSerializer(many=True, help_text="Problems counted per class.")
    dropped = PreviewProblemSerializer(many=True, help_text="What was left out of the file.")
    dropped_total = serializers.IntegerField()
    # The answer's own field called "errors" (a count) shadows Serializer.errors; this
    # serializer only documents the response, it never validates input.
    errors = serializers.IntegerField()  # type: ignore[assignment]
    warnings = serializers.IntegerField()
    can_confirm = serializers.BooleanField()
    questions = PreviewQuestionSerializer(many=True)


class ConfirmedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    question_set = serializers.IntegerField()
    created = serializers.IntegerField()


def _problems(problems: list[Problem]) -> list[dict]:
    return [problem.as_dict() for problem in problems]


def _refusal(problems: list[Problem], code=status.HTTP_400_BAD_REQUEST) -> Response:
    return Response(
        {"detail": "The file cannot be imported.", "problems": _problems(problems)}, status=code
    )


def preview_payload(session: ImportSession, summary: dict) -> dict:
    """The session's stored summary (built by `flashcards.services.import_summary`) with the
    session's own fields."""
    payload = {key: value for key, value in summary.items() if key != "options"}
    payload.update(
        {
            "id": str(session.id),
            "status": session.status,
            "filename": session.filename,
            "size": session.size,
            "question_set": session.target_set_id,
            "title": session.title or summary["title"],
            "can_confirm": summary["can_confirm"]
            and session.status == ImportSession.Status.PENDING,
        }
    )
    return payload


def upload_options(values: dict) -> dict:
    return {
        key: values[key] for key in ("separator", "row_separator", "quoting") if values.get(key)
    }


def _read_upload(upload) -> bytes:
    """Read at most the limit plus one byte, so an oversized upload is refused cheaply."""
    limit = checks.import_max_bytes()
    if upload.size is not None and upload.size > limit:
        checks.check_size(upload.size)
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        checks.check_size(total)
        chunks.append(chunk)
    return b"".join(chunks)


class ImportListView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=UploadSerializer,
        responses={
            201: PreviewSerializer,
            400: RefusalSerializer,
            403: OpenApiResponse(description="Not an instructor or editor of the set."),
            413: RefusalSerializer,
        },
    )
    def post(self, request):
        serializer = UploadSerializer(data=request.data)
        if not serializer.is_valid():
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        values = serializer.validated_data
        target = None
        if values.get("question_set"):
            target = QuestionSet.objects.filter(pk=values["question_set"]).first()
            if target is None or not can_view_set(request.user, target):
                return Response({"detail": "Question set not found."}, status=404)
        if not checks.can_import(request.user, target):
            return Response({"detail": "You may not import questions here."}, status=403)
        try:
            data = _read_upload(values["file"])
            session, _parsed = service.create_import_session(
                user=request.user,
                data=data,
                filename=values["file"].name or "",
                fmt=values.get("format") or None,
                target_set=target,
                title=values.get("title", ""),
                options=upload_options(values),
            )
        except checks.FileTooLarge as error:
            return _refusal(error.problems, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        except ImportFormatError as error:
            return _refusal(error.problems)
        summary = service.session_summary(session)
        return Response(preview_payload(session, summary), status=status.HTTP_201_CREATED)


def _own_session(request, pk) -> ImportSession:
    # Someone else's upload is reported as missing, not forbidden: ids are not to be probed.
    return get_object_or_404(ImportSession, pk=pk, owner=request.user)


class ImportDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PreviewSerializer, 400: RefusalSerializer})
    def get(self, request, pk):
        session = _own_session(request, pk)
        if session.status != ImportSession.Status.PENDING:
            return Response(
                {
                    "id": str(session.id),
                    "status": session.status,
                    "question_set": session.question_set_id,
                    "created": session.created_count,
                }
            )
        try:
            summary = service.session_summary(session)
        except ImportFormatError as error:
            return _refusal(error.problems)
        return Response(preview_payload(session, summary))

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        session = _own_session(request, pk)
        session.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ImportConfirmView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={201: ConfirmedSerializer, 400: RefusalSerializer, 403: None, 409: None},
    )
    def post(self, request, pk):
        session = _own_session(request, pk)
        try:
            outcome = service.confirm_import_session(user=request.user, session=session)
        except PermissionDenied:
            return Response({"detail": "You may not import into this question set."}, status=403)
        except service.AlreadyImported as error:
            return Response(
                {"detail": str(error), "question_set": session.question_set_id},
                status=status.HTTP_409_CONFLICT,
            )
        except ImportFormatError as error:
            return _refusal(error.problems)
        except (DataError, IntegrityError) as error:
            return _refusal([Problem(1, 1, f"The questions could not be saved: {error}")])
        return Response(
            {
                "id": str(session.id),
                "status": ImportSession.Status.IMPORTED,
                "question_set": outcome.question_set.pk if outcome.question_set else None,
                "created": outcome.created,
            },
            status=status.HTTP_201_CREATED,
        )


class ExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk, fmt):
        if fmt not in EXPORT_FORMATS:
            return Response(
                {"detail": f"Unknown format; use one of {', '.join(EXPORT_FORMATS)}."}, status=404
            )
        question_set = get_object_or_404(sets_visible_to(request.user), pk=pk)
        if questions_with_hidden_keys(request.user).filter(question_set=question_set).exists():
            return Response(
                {
                    "detail": "This set holds questions of a quiz you are taking; "
                    "export it after you submit.",
                    "code": "answer_key_hidden",
                },
                status=403,
            )
        if fmt not in export_formats_for(request.user, question_set):
            return Response(
                {"detail": "Only the set's editors may export it in this format."}, status=403
            )
        try:
            result = export_question_set(question_set=question_set, fmt=fmt)
        except ValueError as error:  # pragma: no cover - fmt is checked above
            raise Http404(str(error)) from None
        response = HttpResponse(result.content, content_type=result.media_type)
        filename = f"question-set-{question_set.pk}{result.extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Export-Warnings"] = str(len(result.problems))
        return response
