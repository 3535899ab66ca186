"""python manage.py export_questions SET_ID --format json|gift|csv|tsv|apkg|aiken --output PATH

What the format cannot carry is printed as warnings; the file is written anyway.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from flashcards.formats import EXPORT_FORMATS
from flashcards.models import QuestionSet
from flashcards.selectors.exports import export_question_set


class Command(BaseCommand):
    help = "Export a question set to JSON (lossless), GIFT, CSV/TSV, Anki .apkg or Aiken."

    def add_arguments(self, parser):
        parser.add_argument("set_id", type=int)
        parser.add_argument("--format", required=True, choices=EXPORT_FORMATS)
        parser.add_argument("--output", required=True, help="file to write; '-' for stdout")

    def handle(self, *args, set_id, format, output, **options):
        question_set = QuestionSet.objects.filter(pk=set_id).first()
        if question_set is None:
            raise CommandError(f"No question set with id {set_id}.")
        result = export_question_set(question_set=question_set, fmt=format)
        for problem in result.problems:
            self.stderr.write(f"warning: {problem.message}")
        if output == "-":
            sys.stdout.buffer.write(result.content)
            sys.stdout.flush()
            return
        try:
            Path(output).write_bytes(result.content)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror or error}") from None
        self.stdout.write(
            f"Wrote {len(result.content):,} bytes ({format}) for set {set_id} to {output}."
        )
