"""Cards from questions: which cards a question yields and keeping them in step with it.

Cards exist by the time they are due to be seen: they are made, in the same transaction,
when a question is saved (`services.content.create_question` / `update_question`), an
import is confirmed (`services.imports.save_import`), a set is assigned to a class
(`services.classes.assign_set`) and a student joins a class (`join_classroom`).  So a
dashboard counts a new member's New cards before any study page was opened, and the study
hot path never derives cards.  Data written outside the services (the admin, a shell, an old
database) is brought up to date by `python manage.py sync_study_cards`, which runs
`ensure_cards` over every set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from flashcards.models import (
    Card,
    Question,
)
from flashcards.richtext import cloze_deletions
from flashcards.study_faces import cloze_numbers


def card_specs(question: Question) -> set[tuple[str, int]]:
    """The (side, ordinal) cards a question yields: what a student can be asked."""
    if question.kind == Question.Kind.DESCRIPTION:
        return set()
    if question.kind == Question.Kind.CLOZE:
        # From the rendered HTML, so a card exists exactly for each gap the page can hide
        # (`{{c1::…}}` inside a code span, say, is text, not a deletion).
        if question.prompt_html or not question.prompt:
            numbers = cloze_numbers(question.prompt_html)
        else:  # not rendered yet (a bulk-created row): what the renderer will find
            numbers = {deletion.number for deletion in cloze_deletions(question.prompt)}
        if numbers:
            return {(Card.Side.CLOZE.value, n) for n in numbers}
    specs = {(Card.Side.FRONT.value, 0)}
    if question.kind == Question.Kind.FLASHCARD and question.has_reverse:
        specs.add((Card.Side.REVERSE.value, 0))
    return specs


@transaction.atomic
def sync_cards(*, questions: Iterable[Question]) -> int:
    """Make the cards of `questions` match their content; returns how many changed.

    A cloze number or a reverse side that is gone takes its card, and that card's history,
    with it: what was studied no longer exists.
    """
    questions = list(questions)
    if not questions:
        return 0
    existing: dict[int, dict[tuple[str, int], int]] = defaultdict(dict)
    for card_id, question_id, side, ordinal in Card.objects.filter(
        question__in=questions
    ).values_list("id", "question_id", "side", "ordinal"):
        existing[question_id][(side, ordinal)] = card_id
    to_create, to_delete = [], []
    for question in questions:
        wanted = card_specs(question)
        have = existing.get(question.pk, {})
        to_create += [
            Card(question=question, question_set_id=question.question_set_id, side=s, ordinal=o)
            for s, o in sorted(wanted - have.keys())
        ]
        to_delete += [card_id for spec, card_id in have.items() if spec not in wanted]
    if to_create:
        Card.objects.bulk_create(to_create, ignore_conflicts=True)
    if to_delete:
        Card.objects.filter(pk__in=to_delete).delete()
    touched = [q.pk for q in questions]
    Card.objects.filter(question_id__in=touched).update(synced_at=timezone.now())
    return len(to_create) + len(to_delete)


def stale_questions(set_ids: Sequence[int]) -> QuerySet[Question]:
    """Questions of these sets whose cards are missing or older than the question's last edit."""
    fresh = Card.objects.filter(question=OuterRef("pk"), synced_at__gte=OuterRef("updated_at"))
    any_card = Card.objects.filter(question=OuterRef("pk"))
    description = Q(kind=Question.Kind.DESCRIPTION)
    return Question.objects.filter(question_set_id__in=set_ids).filter(
        (~description & ~Exists(fresh)) | (description & Exists(any_card))
    )


def _cards_look_current(set_ids: Sequence[int]) -> bool:
    """Two plain aggregates instead of a per-question check: every question has cards, and
    no question was edited after the oldest card sync.  (Conservative: a False only means the
    exact check below has to run.)"""
    questions = (
        Question.objects.filter(question_set_id__in=set_ids)
        .exclude(kind=Question.Kind.DESCRIPTION)
        .aggregate(n=Count("id"), latest=Max("updated_at"))
    )
    cards = Card.objects.filter(question_set_id__in=set_ids).aggregate(
        n=Count("question_id", distinct=True), oldest=Min("synced_at")
    )
    if questions["n"] != cards["n"]:
        return False
    return questions["latest"] is None or questions["latest"] <= cards["oldest"]


def ensure_cards(*, set_ids: Sequence[int]) -> int:
    """Bring the cards of these sets up to date: two cheap aggregates when nothing changed.

    Called by the services that give students sets (assigning, joining) and by the repair
    command; not from signals on Question, since importers create questions with
    bulk_create, which sends none (the import service syncs what it created).
    """
    if not set_ids or _cards_look_current(set_ids):
        return 0
    with transaction.atomic():
        stale = list(stale_questions(set_ids))
        changed = sync_cards(questions=stale) if stale else 0
        # Everything else was just found current: stamp it so the quick check passes again.
        Card.objects.filter(question_set_id__in=set_ids).update(synced_at=timezone.now())
    return changed
