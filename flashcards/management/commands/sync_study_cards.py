"""python manage.py sync_study_cards [--set SET_ID ...] [--dry-run]

The repair path for study cards.  The services make cards when questions are saved, imports
confirmed, sets assigned and classes joined (flashcards/services/study/cards.py); questions
written any other way (the admin, a shell, a restored database) have none, or stale ones,
until this runs.  Safe to run at any time: current sets cost two aggregates each.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from flashcards.models import QuestionSet
from flashcards.services.study import ensure_cards, stale_questions


class Command(BaseCommand):
    help = "Create or update the study cards of every question set (or of the sets named)."

    def add_arguments(self, parser):
        parser.add_argument("--set", dest="set_ids", type=int, action="append", default=[])
        parser.add_argument(
            "--dry-run", action="store_true", help="only say which sets need repair"
        )

    def handle(self, *args, set_ids, dry_run, **options):
        sets = QuestionSet.objects.order_by("pk")
        if set_ids:
            sets = sets.filter(pk__in=set_ids)
            missing = sorted(set(set_ids) - set(sets.values_list("pk", flat=True)))
            if missing:
                raise CommandError(f"No question set with id {', '.join(map(str, missing))}.")
        repaired = total = 0
        for set_id, title in sets.values_list("pk", "title"):
            stale = stale_questions([set_id]).count()
            if not stale:
                continue
            if dry_run:
                self.stdout.write(f"set {set_id} ({title}): {stale} questions need cards")
                continue
            with transaction.atomic():
                changed = ensure_cards(set_ids=[set_id])
            repaired += 1
            total += changed
            self.stdout.write(f"set {set_id} ({title}): {changed} cards created or removed")
        if not dry_run:
            self.stdout.write(f"{repaired} sets repaired, {total} cards created or removed")
