"""python manage.py import_questions PATH [--format F] [--set TITLE] [--owner USERNAME] [--dry-run]
    [--separator SEP] [--row-separator SEP] [--quoting auto|on|off]

Prints the import summary the API and the wizard show (questions per kind, problems per class,
what was left out) and the first problems as PATH:LINE:COLUMN: message; saves all questions
or none (exit status 1 when the file has errors).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from flashcards.formats import IMPORT_FORMATS, ImportFormatError
from flashcards.models import QuestionSet
from flashcards.services.import_summary import PREVIEW_PROBLEMS, import_summary, summary_text
from flashcards.services.imports import import_questions


class Command(BaseCommand):
    help = "Import questions from GIFT, Aiken, CSV/TSV, Markdown, Anki .apkg or quizsite JSON."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to import")
        parser.add_argument("--format", choices=IMPORT_FORMATS, help="default: detect it")
        parser.add_argument(
            "--set",
            dest="set_title",
            help="import into the owner's set with this title, or a new set with it",
        )
        parser.add_argument("--owner", help="username of the instructor who will own the set")
        parser.add_argument(
            "--dry-run", action="store_true", help="parse and validate, save nothing"
        )
        parser.add_argument(
            "--separator",
            help="CSV/TSV: between term and definition (tab, comma, semicolon, or any text)",
        )
        parser.add_argument(
            "--row-separator",
            help="CSV/TSV: between cards (newline, blank for blank lines, or any text)",
        )
        parser.add_argument("--quoting", choices=["auto", "on", "off"], help="CSV/TSV quoting")

    def handle(
        self, *args, path, format=None, set_title=None, owner=None, dry_run=False, **options
    ):
        reader_options = {
            "separator": options.get("separator"),
            "row_separator": options.get("row_separator"),
            "quoting": options.get("quoting"),
        }
        source = Path(path)
        try:
            data = source.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
        user = self._owner(owner, required=not dry_run)
        target = self._target(user, set_title) if user is not None else None
        try:
            outcome = import_questions(
                user=user,
                data=data,
                fmt=format,
                filename=source.name,
                target_set=target,
                title=set_title,
                dry_run=dry_run,
                options=reader_options,
            )
        except ImportFormatError as error:
            self._print_problems(path, error.problems)
            raise CommandError("The file cannot be read; nothing was imported.") from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        parsed = outcome.parsed
        summary = import_summary(parsed)
        self._print_problems(path, parsed.problems)
        first, *rest = summary_text(summary)
        self.stdout.write(f"{path}: {first}")
        for line in rest:
            self.stdout.write(line)
        if parsed.errors:
            raise CommandError(f"{len(parsed.errors)} error(s); nothing was imported.")
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")
            return
        question_set = outcome.question_set
        assert question_set is not None  # a confirmed import always has its set
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {outcome.created} questions into set {question_set.pk} "
                f"({question_set.title!r})."
            )
        )

    def _owner(self, username, *, required: bool):
        users = get_user_model().objects
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user named {username!r}.")
            return user
        if not required:
            return None
        raise CommandError("Give --owner USERNAME (the instructor who will own the questions).")

    def _target(self, user, title):
        if not title:
            return None
        matches = list(
            QuestionSet.objects.filter(Q(owner=user) | Q(co_editors=user), title=title)
            .distinct()
            .order_by("pk")
        )
        if len(matches) > 1:
            ids = ", ".join(str(item.pk) for item in matches)
            raise CommandError(f"Several sets of {user.username} are titled {title!r} ({ids}).")
        return matches[0] if matches else None

    def _print_problems(self, path, problems):
        ordered = sorted(problems, key=lambda p: (p.line, p.column))
        for problem in ordered[:PREVIEW_PROBLEMS]:
            line = f"{path}:{problem.line}:{problem.column}: {problem.severity}: {problem.message}"
            self.stderr.write(line if problem.severity == "warning" else self.style.ERROR(line))
        if len(ordered) > PREVIEW_PROBLEMS:
            self.stderr.write(f"{path}: … and {len(ordered) - PREVIEW_PROBLEMS} more problems")
