"""`manage.py load_sample_content`: the sample course, demo accounts and demo class, and the
live demos attached to the course's answers (their runs are computed by the workers).

It lives in the project package because it joins two apps: the course is flashcards', the
demos attached to it are training's, and flashcards may not import training.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from flashcards.sample_content import DEMO_PASSWORD, load_sample_content
from training.sample_demos import attach_sample_demos


class Command(BaseCommand):
    help = (
        "Load the sample course (two question sets), the demo accounts 'instructor' and "
        "'student', and a demo class. Safe to run again: it updates instead of duplicating."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEMO_PASSWORD,
            help="password for newly created demo accounts (default: %(default)s)",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="also set the password of demo accounts that already exist",
        )

    def handle(self, *args, password: str, reset_passwords: bool, **options):
        try:
            report = load_sample_content(password=password, reset_passwords=reset_passwords)
        except ValidationError as exc:
            raise CommandError(f"the sample content is invalid: {exc.message_dict}") from exc
        for question_set in report.sets:
            count = question_set.questions.count()
            self.stdout.write(f"Set {question_set.title!r}: {count} questions")
        self.stdout.write(
            f"Questions: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )
        for user in (report.instructor, report.student):
            if user.username in report.new_accounts or reset_passwords:
                note = f"password: {password}"
            else:
                note = "existing account, password left as it was (--reset-passwords sets it)"
            self.stdout.write(f"Account {user.username} [{user.role}], {note}")
        classroom = report.classroom
        self.stdout.write(f"Class {classroom.name!r}, join code {classroom.join_code}")
        attach_sample_demos(stdout=self.stdout, question_sets=report.sets)
        self.stdout.write(self.style.SUCCESS("Sample content loaded."))
