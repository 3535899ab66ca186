"""The study load benchmark's data: students, sets, cards, states and reviews, bulk-loaded.

`python -m benchmarks.study_load` (its docstring says what is measured) calls `load_data`
once, before the server starts.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = 10


def load_data(args, rng: random.Random) -> dict:
    """Students, sets, cards, states and reviews; bulk paths (COPY on PostgreSQL)."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from rest_framework.authtoken.models import Token

    from flashcards.models import (
        Card,
        CardState,
        Classroom,
        Membership,
        Question,
        QuestionSet,
        StudySettings,
        User,
    )
    from flashcards.services.study import sync_cards

    started = time.perf_counter()
    password = make_password(None)
    with transaction.atomic():
        instructor = User.objects.create(
            username="bench-instructor", role="instructor", password=password
        )
        classroom = Classroom.objects.create(name="Benchmark class", owner=instructor)
        sets = []
        per_set = max(1, args.cards // SETS)
        for s in range(SETS):
            question_set = QuestionSet.objects.create(
                title=f"Chapter {s + 1}",
                owner=instructor,
                visibility=QuestionSet.Visibility.CLASSES,
            )
            sets.append(question_set)
            questions = []
            for q in range(per_set):
                question = Question(
                    question_set=question_set,
                    position=q,
                    kind=Question.Kind.FLASHCARD,
                    prompt=f"Chapter {s + 1}, question {q + 1}: what does layer {q} compute?",
                    answer=f"An affine map followed by a nonlinearity ({s}.{q}).",
                )
                question.render_rich_text_fields()
                questions.append(question)
            Question.objects.bulk_create(questions)
        classroom.question_sets.set(sets)
        sync_cards(questions=Question.objects.filter(question_set__in=sets))
        attach_demos(instructor, Question.objects.filter(question_set__in=sets))
        students = User.objects.bulk_create(
            [
                User(username=f"bench-student-{i}", role="student", password=password)
                for i in range(args.students)
            ]
        )
        Membership.objects.bulk_create(
            [Membership(classroom=classroom, user=student) for student in students]
        )
        tokens = Token.objects.bulk_create(
            [Token(user=student, key=Token.generate_key()) for student in students]
        )
        StudySettings.objects.bulk_create([StudySettings(student=s) for s in students])
    cards = list(Card.objects.order_by("id").values_list("id", "question_set_id"))

    now = datetime.now(UTC)
    year = timedelta(days=365)
    state_rows, review_rows = [], []
    reviews_per_student = args.reviews // max(1, len(students))
    studied_share = 0.75
    for student in students:
        studied = cards[: int(len(cards) * studied_share)]
        for card_id, set_id in studied:
            roll = rng.random()
            if roll < 0.05:
                state, due, stability = 1, now + timedelta(minutes=rng.randrange(-30, 30)), 0.5
            else:
                state = 2
                stability = rng.lognormvariate(2.0, 1.0)
                # About a fifth due today or overdue, the rest over the next two months.
                due = now + timedelta(hours=rng.randrange(-24 * 3, 24 * 12))
            last = due - timedelta(days=max(1.0, stability))
            state_rows.append(
                (
                    student.pk,
                    card_id,
                    set_id,
                    state,
                    None if state == 2 else 0,
                    stability,
                    rng.uniform(2, 8),
                    due,
                    last,
                    rng.randrange(2, 12),
                    rng.randrange(0, 3),
                    False,
                    False,
                    False,
                    3,
                    now,
                    now - timedelta(days=400),
                )
            )
        for k in range(reviews_per_student):
            card_id, set_id = studied[k % len(studied)]
            when = (
                now
                - year
                + year * (k / reviews_per_student)
                + timedelta(seconds=rng.randrange(0, 3600))
            )
            rating = rng.choices([1, 2, 3, 4, 5], [8, 7, 20, 45, 20])[0]
            grade = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4}[rating]
            snapshot = '{"state": 2, "reps": 3}'
            review_rows.append(
                (
                    student.pk,
                    card_id,
                    set_id,
                    rating,
                    grade,
                    "study",
                    when,
                    4000,
                    f"seed-{student.pk}-{k}",
                    snapshot,
                    snapshot,
                    2,
                    5.0,
                    5.0,
                    1,
                    now,
                )
            )
    state_columns = (
        "student_id, card_id, question_set_id, state, step, stability, difficulty, due, "
        "last_review, reps, lapses, suspended, flagged, is_leech, version, updated_at, "
        "introduced_at"
    )
    review_columns = (
        "student_id, card_id, question_set_id, rating, fsrs_rating, source, reviewed_at, "
        "duration_ms, client_review_id, state_before, state_after, previous_state, "
        "scheduled_days, elapsed_days, version_after, created_at"
    )
    bulk_insert(connection, CardState._meta.db_table, state_columns, state_rows)
    bulk_insert(connection, "flashcards_reviewlog", review_columns, review_rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "tokens": [t.key for t in tokens],
        # The page phase signs in from the other end of the list: with at least twice as
        # many students as clients (the defaults: 200 and 50) it studies students the API
        # phase left untouched, so it does not find their due cards and new-card allowance
        # already used up by the phase before it.
        "sessions": page_sessions(students[::-1]),
        "students": [s.pk for s in students],
        "cards": len(cards),
        "states": len(state_rows),
        "reviews": len(review_rows),
        "seconds": time.perf_counter() - started,
        "vendor": connection.vendor,
    }


DEMO_SHARE = 10  # one question in ten has a stored demo result, shown on its card


def attach_demos(owner, questions) -> None:
    """A finished softmax demo run, attached to every tenth question: the page renders its
    result into the card's HTML, as it does for the sample course."""
    from training.models import DemoAttachment, DemoRun
    from training.params import params_key
    from training.registry import get_demo

    demo = get_demo("softmax-cross-entropy")
    params = demo.validate({})
    run = DemoRun.objects.create(
        demo=demo.slug,
        params=params,
        params_key=params_key(params),
        demo_version=demo.version,
        queue=demo.queue,
        status=DemoRun.Status.DONE,
        result={"summary": "Softmax turns logits into probabilities that sum to 1.", "notes": []},
        figures=[],
    )
    DemoAttachment.objects.bulk_create(
        [
            DemoAttachment(
                question=q,
                demo=demo.slug,
                params=params,
                run=run,
                caption="Softmax",
                created_by=owner,
            )
            for q in questions.order_by("id")[::DEMO_SHARE]
        ]
    )


def page_sessions(students) -> list[tuple[str, str]]:
    """A signed-in browser session and a CSRF secret per student, as after logging in."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string

    sessions = []
    for student in students:
        store = SessionStore()
        store[SESSION_KEY] = str(student.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = student.get_session_auth_hash()
        store.create()
        sessions.append((store.session_key, _get_new_csrf_string()))
    return sessions


def bulk_insert(connection, table: str, columns: str, rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3: COPY is ~10x faster than INSERTs for 1M rows
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(rows[0]))
            for start in range(0, len(rows), 5000):
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                    rows[start : start + 5000],
                )


# --- HTTP client ------------------------------------------------------------------------------
