"""Answer-key secrecy: while a student has a quiz attempt open, nothing they can call shows
the answers of that quiz's questions; and "quiz only" sets never reach study.

The sweep below is built from Django's URL resolver: every route of the project must either
be called by it (as the student with the open attempt, through the real HTTP stack) or be
listed as out of a student's reach with the reason, so a new endpoint cannot be forgotten.
Every answer-bearing field of every question kind carries a marker string that appears
nowhere else; no response may contain one.  A control test shows the same calls do reveal
the markers once the attempt is submitted, so the sweep would notice a leak.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse

from flashcards.models import Question, QuestionMedia, QuestionSet
from flashcards.selectors.content import sets_editable_by, sets_studied_by, studied_set_ids
from flashcards.services.study.cards import sync_cards
from quizzes.models import Attempt, Quiz
from quizzes.services.attempts.answer import submit_attempt
from quizzes.services.attempts.start import start_attempt
from tests.flashcards.factories import (
    ChoiceFactory,
    ClassroomFactory,
    InstructorFactory,
    NumericalAnswerFactory,
    QuestionFactory,
    QuestionSetFactory,
    StudentFactory,
    cards_of,
    join_class,
)
from tests.quizzes.factories import QuizFactory
from tests.training.factories import DemoAttachmentFactory

pytestmark = pytest.mark.django_db

MARKERS = [
    "KEYEXPLMC",
    "KEYFEEDBACKMC",
    "KEYGENERALMC",
    "KEYEXPLTF",
    "KEYTRUEFEEDBACK",
    "2345.678",
    "KEYSHORTACCEPTED",
    "KEYREFERENCEESSAY",
    "KEYRUBRICESSAY",
    "KEYCLOZEWORD",
    "KEYFLASHBACK",
    "KEYDEMOCAPTION",
    "KEYBACKIMAGE",
]


def build_questions(question_set: QuestionSet) -> dict[str, Question]:
    mc = QuestionFactory(
        question_set=question_set,
        kind=Question.Kind.MULTIPLE_CHOICE,
        prompt="Softmax of (5.1, 3.2): the first probability?",
        answer="KEYEXPLMC",
        general_feedback="KEYGENERALMC",
    )
    ChoiceFactory(question=mc, text="0.87", is_correct=True, feedback="KEYFEEDBACKMC")
    ChoiceFactory(question=mc, text="0.13", is_correct=False)
    tf = QuestionFactory(
        question_set=question_set,
        kind=Question.Kind.TRUE_FALSE,
        prompt="ReLU is zero for negative inputs.",
        correct_boolean=True,
        answer="KEYEXPLTF",
        true_feedback="KEYTRUEFEEDBACK",
    )
    num = QuestionFactory(
        question_set=question_set,
        kind=Question.Kind.NUMERICAL,
        prompt="How many updates?",
        answer="",
    )
    NumericalAnswerFactory(question=num, value=2345.678)
    short = QuestionFactory(
        question_set=question_set,
        kind=Question.Kind.SHORT_ANSWER,
        prompt="Name the activation that squashes into (0, 1).",
        answer="",
    )
    ChoiceFactory(question=short, text="KEYSHORTACCEPTED", is_correct=True)
    essay = QuestionFactory(
        question_set=question_set,
        kind=Question.Kind.FREE_TEXT,
        prompt="Loss or metric?",
        answer="KEYREFERENCEESSAY",
        rubric=[{"criterion": "KEYRUBRICESSAY", "points": 1}],
    )
    cloze = QuestionFactory(
        question_set=question_set,
        kind=Question.Kind.CLOZE,
        prompt="The {{c1::KEYCLOZEWORD}} step moves against the gradient.",
        answer="",
    )
    card = QuestionFactory(
        question_set=question_set,
        kind=Question.Kind.FLASHCARD,
        prompt="What is a mini-batch?",
        answer="KEYFLASHBACK",
    )
    return {
        "mc": mc,
        "tf": tf,
        "num": num,
        "short": short,
        "essay": essay,
        "cloze": cloze,
        "card": card,
    }


def back_image(question: Question) -> QuestionMedia:
    """An image on the back of a card, as an Anki import stores it: it can be the answer."""
    media = QuestionMedia(question=question, digest="ab" * 32, name="back.png")
    media.content_type, media.size = "image/png", 12
    media.file.save(media.name, ContentFile(b"KEYBACKIMAGE"), save=True)
    return media


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    owner = InstructorFactory()
    other_instructor = InstructorFactory()
    alice, outsider = StudentFactory(), StudentFactory()
    classroom = ClassroomFactory(owner=owner)
    join_class(alice, classroom)
    question_set = QuestionSetFactory(owner=owner, visibility=QuestionSet.Visibility.CLASSES)
    classroom.question_sets.add(question_set)
    questions = build_questions(question_set)
    attachment = DemoAttachmentFactory(question=questions["mc"], caption="KEYDEMOCAPTION")
    image = back_image(questions["card"])
    sync_cards(questions=question_set.questions.all())
    # A practice quiz alice finished earlier, which shows each answer as she checks it.
    practice = QuizFactory(
        owner=owner,
        question_set=question_set,
        classrooms=[classroom],
        answers_shown=Quiz.AnswersShown.AFTER_EACH,
        is_practice=True,
    )
    earlier, _ = start_attempt(quiz=practice, student=alice)
    earlier, _ = submit_attempt(attempt=earlier, student=alice)
    exam = QuizFactory(owner=owner, question_set=question_set, classrooms=[classroom])
    attempt, _ = start_attempt(quiz=exam, student=alice)
    return {
        "owner": owner,
        "other_instructor": other_instructor,
        "alice": alice,
        "outsider": outsider,
        "classroom": classroom,
        "set": question_set,
        "questions": questions,
        "attachment": attachment,
        "image": image,
        "practice": practice,
        "earlier": earlier,
        "exam": exam,
        "attempt": attempt,
    }


# --- the sweep: every route, as the student taking the quiz ---------------------------------------


def _get(name, kwargs=None):
    return lambda w: [("get", reverse(name, kwargs=kwargs(w) if kwargs else None), {})]


def _pk(key):
    return lambda w: {"pk": w[key].pk}


def _study_modes(w):
    calls = []
    for mode in ("study", "cram"):
        for scope in ({}, {"set": w["set"].pk}, {"classroom": w["classroom"].pk}):
            calls.append(
                ("get", reverse("flashcards:study-next"), {"mode": mode, "limit": 50, **scope})
            )
    return calls


def _study_pages(name):
    def calls(w):
        kwargs = (
            {}
            if name == "study-all"
            else {"pk": w["set"].pk if name == "study-set" else w["classroom"].pk}
        )
        url = reverse(name, kwargs=kwargs)
        return [("get", url, {}), ("get", url, {"mode": "cram"})]

    return calls


def _every_question(name, key="pk"):
    return lambda w: [
        ("get", reverse(name, kwargs={key: q.pk}), {}) for q in w["questions"].values()
    ]


def _exports(w):
    return [
        ("get", reverse("flashcards:question-set-export", args=[w["set"].pk, fmt]), {})
        for fmt in ("json", "gift", "csv", "tsv", "aiken")
    ]


def _ratings(name, *, body="json"):
    """Rate each card of the locked set, asking for the next cards of every scope: the
    rating is refused and `next` must not carry a locked card."""

    def calls(w):
        return [
            (
                body,
                reverse(name),
                {
                    "card": card.pk,
                    "rating": 4,
                    "client_review_id": f"k{card.pk}",
                    "next": 20,
                    **scope,
                },
            )
            for card in cards_of(w["set"])
            for scope in ({}, {"set": w["set"].pk}, {"classroom": w["classroom"].pk})
        ]

    return calls


def _undos(name, *, body="json"):
    def calls(w):
        scopes = ({}, {"set": w["set"].pk}, {"classroom": w["classroom"].pk})
        return [
            (body, reverse(name), {"mode": mode, **scope})
            for mode in ("study", "cram")
            for scope in scopes
        ]

    return calls


def _attempt_slots(name, *, method="get"):
    def calls(w):
        return [
            (method, reverse(name, args=[w["attempt"].pk, slot]), {})
            for slot in range(1, len(w["questions"]) + 1)
        ]

    return calls


STUDENT_CALLS = {
    # API
    "flashcards:study-next": _study_modes,
    "flashcards:study-statistics": _get("flashcards:study-statistics"),
    "flashcards:study-leeches": _get("flashcards:study-leeches"),
    "flashcards:study-settings": _get("flashcards:study-settings"),
    "flashcards:study-classroom-statistics": lambda w: [
        ("get", reverse("flashcards:study-classroom-statistics", args=[w["classroom"].pk]), {})
    ],
    "flashcards:api-me": _get("flashcards:api-me"),
    "flashcards:set-questions": lambda w: [
        ("get", reverse("flashcards:set-questions", args=[w["set"].pk]), {})
    ],
    "flashcards:question-set-export": _exports,
    "flashcards:questionset-list": _get("flashcards:questionset-list"),
    "flashcards:questionset-detail": _get("flashcards:questionset-detail", kwargs=_pk("set")),
    "flashcards:question-list": lambda w: [
        ("get", reverse("flashcards:question-list"), {}),
        (
            "get",
            reverse("flashcards:question-list"),
            {"question_set": w["set"].pk, "search": "KEY"},
        ),
    ],
    "flashcards:question-detail": _every_question("flashcards:question-detail"),
    "flashcards:classroom-list": _get("flashcards:classroom-list"),
    "flashcards:classroom-detail": _get("flashcards:classroom-detail", kwargs=_pk("classroom")),
    "flashcards:classroom-question-sets": _get(
        "flashcards:classroom-question-sets", kwargs=_pk("classroom")
    ),
    "training:question-demos": _every_question("training:question-demos", key="question_id"),
    "training:attachment-detail": lambda w: [
        ("get", reverse("training:attachment-detail", args=[w["attachment"].pk]), {})
    ],
    "training:run-detail": lambda w: [
        ("get", reverse("training:run-detail", args=[w["attachment"].run_id]), {})
    ],
    "quizzes:quiz-list": _get("quizzes:quiz-list"),
    "quizzes:quiz-detail": _get("quizzes:quiz-detail", kwargs=_pk("exam")),
    "quizzes:quiz-attempts": lambda w: [
        ("get", reverse("quizzes:quiz-attempts", args=[w["exam"].pk]), {}),
        ("post", reverse("quizzes:quiz-attempts", args=[w["exam"].pk]), {}),  # resumes: its payload
    ],
    "quizzes:attempt-list": _get("quizzes:attempt-list"),
    "quizzes:attempt-detail": lambda w: [
        ("get", reverse("quizzes:attempt-detail", args=[w["attempt"].pk]), {}),
        ("get", reverse("quizzes:attempt-detail", args=[w["earlier"].pk]), {}),
    ],
    "quizzes:attempt-review": lambda w: [
        ("get", reverse("quizzes:attempt-review", args=[w["attempt"].pk]), {}),
        ("get", reverse("quizzes:attempt-review", args=[w["earlier"].pk]), {}),
    ],
    "quizzes:attempt-answer-check": _attempt_slots("quizzes:attempt-answer-check", method="post"),
    "question-media": lambda w: [("get", w["image"].file.url, {})],
    "flashcards:study-review": _ratings("flashcards:study-review"),
    "flashcards:study-undo": _undos("flashcards:study-undo"),
    "study-page-review": _ratings("study-page-review"),
    "study-page-undo": _undos("study-page-undo"),
    # pages
    "home": _get("home"),
    "dashboard": _get("dashboard"),
    "settings": _get("settings"),
    "set-list": _get("set-list"),
    "set-detail": _get("set-detail", kwargs=_pk("set")),
    "class-list": _get("class-list"),
    "class-detail": _get("class-detail", kwargs=_pk("classroom")),
    "quiz-home": _get("quiz-home"),
    "quiz-page": lambda w: [
        ("get", reverse("quiz-page", args=[w["exam"].pk]), {}),
        ("get", reverse("quiz-page", args=[w["practice"].pk]), {}),
    ],
    "attempt-page": lambda w: [
        ("get", reverse("attempt-page", args=[w["attempt"].pk]), {}),
        ("get", reverse("attempt-page", args=[w["earlier"].pk]), {}),
    ],
    "attempt-review-page": lambda w: [
        ("get", reverse("attempt-review-page", args=[w["attempt"].pk]), {}),
        ("get", reverse("attempt-review-page", args=[w["earlier"].pk]), {}),
    ],
    "attempt-check": _attempt_slots("attempt-check", method="post"),
    "study-all": _study_pages("study-all"),
    "study-set": _study_pages("study-set"),
    "study-class": _study_pages("study-class"),
    "study-queue": lambda w: [
        ("get", reverse("study-queue"), {"mode": mode, **scope})
        for mode in ("study", "cram")
        for scope in ({}, {"set": w["set"].pk}, {"classroom": w["classroom"].pk})
    ],
    "study-statistics-page": _get("study-statistics-page"),
    "demo-run-panel": lambda w: [
        ("get", reverse("demo-run-panel", args=[w["attachment"].run_id]), {})
    ],
    "question-demos-page": _every_question("question-demos-page"),
    "question-demo-fields": _every_question("question-demo-fields"),
    # The student's own data export holds their attempts: it must not carry the key either.
    "personal-data-export": lambda w: [("get", reverse("personal-data-export"), {})],
}

# Routes that cannot show a question's answer to this student, and why.
OUT_OF_REACH = {
    "healthz": "server health, no content",
    "healthz-live": "server health, no content",
    "api-schema": "the API's description, no data",
    "api-docs": "the API's description, no data",
    "api-redoc": "the API's description, no data",
    "favicon": "a redirect to the site's icon",
    "flashcards:api-token": "issues a token, no content",
    "set_language": "sets a cookie",
    "set-language": "sets the language preference",
    "signup": "account pages, no content",
    "login": "account pages, no content",
    "logout": "account pages, no content",
    "flashcards:study-bury": "answers with the card's schedule only",
    "flashcards:study-suspend": "answers with the card's schedule only",
    "flashcards:study-flag": "answers with the card's schedule only",
    "flashcards:study-optimise": "answers with the fit's status only",
    "training:demo-list": "the demo catalogue, not tied to questions",
    "training:demo-detail": "the demo catalogue, not tied to questions",
    "training:demo-runs": "runs a demo with parameters the student typed",
    "training:run-figure": "a figure of a run found through run-detail (swept)",
    "training:attachment-runs": "editors only (POST), refused like attachment-detail",
    "training:digit-prediction": "classifies the student's own drawing",
    "demo-list-page": "the demo catalogue, not tied to questions",
    "demo-draw": "the drawing canvas",
    "demo-live-run": "re-runs a catalogue demo with parameters the student typed",
    "demo-page": "the demo catalogue, not tied to questions",
    "demo-attachment-delete": "editors only (POST)",
    "flashcards:import-list": "instructors' own uploads",
    "flashcards:import-detail": "instructors' own uploads",
    "flashcards:import-confirm": "instructors' own uploads",
    "import-start": "instructors' own uploads",
    "import-preview": "instructors' own uploads",
    "import-wizard-confirm": "instructors' own uploads",
    "flashcards:questionset-reorder": "editors only (POST), answers 204",
    "flashcards:classroom-join": "answers with the class, no questions",
    "flashcards:classroom-leave": "answers 204",
    "flashcards:classroom-members": "the class's instructor only",
    "flashcards:classroom-regenerate-code": "the class's instructor only",
    "flashcards:classroom-remove-member": "the class's instructor only",
    "flashcards:classroom-unassign-set": "the class's instructor only",
    "quizzes:quiz-statistics": "the quiz's instructors only",
    "quizzes:quiz-grading-queue": "the quiz's instructors only",
    "quizzes:quiz-regrade-api": "the quiz's owner only",
    "quizzes:quiz-gradebook": "the quiz's instructors only",
    "quizzes:attempt-submit": "ends the attempt: the lock is then lifted by design",
    "quizzes:attempt-answer": "autosave: answers with the student's own response",
    "quizzes:attempt-answer-self-rating": (
        "refused in this quiz; answers with the attempt's own item"
    ),
    "quizzes:attempt-answer-grade": "instructors only",
    "set-create": "instructors only",
    "set-edit": "the set's editors only",
    "question-create": "the set's editors only",
    "question-edit": "the set's editors only",
    "preview": "renders the Markdown the author typed",
    "class-join": "a join form",
    "quiz-create": "instructors only",
    "quiz-settings": "the quiz's owner only",
    "quiz-start": "POST; resumes the attempt, then redirects to attempt-page (swept)",
    "quiz-analytics": "the quiz's instructors only",
    "quiz-grading": "the quiz's instructors only",
    "quiz-regrade": "the quiz's owner only",
    "attempt-finish": "ends the attempt: the lock is then lifted by design",
    "attempt-autosave": "autosave: answers with the student's own response",
    "attempt-rate": "refused in this quiz; redirects to the attempt page (swept)",
    "answer-grade": "instructors only",
    "password_change": "account pages, no content",
    "password_reset": "account pages, no content",
    "password_reset_done": "account pages, no content",
    "password_reset_confirm": "account pages, no content",
    "password_reset_complete": "account pages, no content",
    "email-address": "account pages, no content",
    "email-verify": "account pages, no content",
    "personal-data": "account pages, no content (the export is swept)",
    "account-delete": "deletes the account, answers with a redirect",
    "invitation-list": "instructors and administrators only",
    "invitation-accept": "account pages, no content",
    "lti:jwks": "the tool's public keys, no content",
    "lti:login": "redirects to the platform's login (OIDC), no content",
    "lti:launch": (
        "needs an id_token signed by a registered platform; redirects to the set or quiz "
        "page (swept)"
    ),
    "lti:deep-link": "instructors only (a learner's deep-linking request is refused)",
}


def route_names() -> set[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern) == "admin/":
                    continue  # staff only: Django's admin requires is_staff
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif pattern.name:
                yield namespace + pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_route_is_either_swept_or_out_of_a_students_reach():
    names = route_names()
    assert names - STUDENT_CALLS.keys() - OUT_OF_REACH.keys() == set(), "classify new routes"
    assert (STUDENT_CALLS.keys() | OUT_OF_REACH.keys()) - names == set(), "stale entries"
    assert STUDENT_CALLS.keys() & OUT_OF_REACH.keys() == set()


def responses(client, w, *, reads_only: bool = False):
    for name, calls in STUDENT_CALLS.items():
        for method, url, params in calls(w):
            if reads_only and method != "get":
                continue
            if method == "get":
                response = client.get(url, params)
            elif method == "json":
                response = client.post(url, json.dumps(params), content_type="application/json")
            else:
                response = client.post(url, params)
            yield name, url, response


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_no_route_shows_the_key_of_an_open_quiz_to_the_student_taking_it(client, world):
    client.force_login(world["alice"])
    leaks, errors = [], []
    for name, url, response in responses(client, world):
        if response.status_code >= 500:
            errors.append((name, url, response.status_code))
        text = body_of(response)
        leaks += [(name, url, marker) for marker in MARKERS if marker in text]
    assert errors == []
    assert leaks == []


def test_after_submitting_the_same_calls_show_the_answers_again(client, world):
    submit_attempt(attempt=world["attempt"], student=world["alice"])
    client.force_login(world["alice"])
    seen: dict[str, str] = {}
    # Reads only: starting an attempt again would lock the questions again.
    for name, _, response in responses(client, world, reads_only=True):
        seen[name] = seen.get(name, "") + body_of(response)
    assert "KEYEXPLMC" in seen["flashcards:question-detail"]
    assert "KEYFEEDBACKMC" in seen["flashcards:set-questions"]
    assert "KEYEXPLTF" in seen["set-detail"]
    assert "KEYDEMOCAPTION" in seen["training:attachment-detail"]
    assert "KEYBACKIMAGE" in seen["question-media"]
    assert "KEYREFERENCEESSAY" in seen["quizzes:attempt-review"]
    assert "KEYSHORTACCEPTED" in seen["flashcards:question-set-export"]
    cram = client.get(
        reverse("flashcards:study-next"), {"mode": "cram", "limit": 50, "set": world["set"].pk}
    )
    assert "KEYFLASHBACK" in cram.content.decode()


def test_the_question_api_says_why_a_question_is_hidden(api_client, world):
    api_client.force_login(world["alice"])
    response = api_client.get(
        reverse("flashcards:question-detail", args=[world["questions"]["mc"].pk])
    )
    assert response.status_code == 403
    assert "quiz you are taking" in response.json()["detail"]
    export = api_client.get(
        reverse("flashcards:question-set-export", args=[world["set"].pk, "json"])
    )
    assert (export.status_code, export.json()["code"]) == (403, "answer_key_hidden")


@pytest.mark.parametrize("role", ["owner", "outsider", "other_instructor"])
def test_the_lock_is_the_quiz_takers_alone(api_client, world, role):
    """The owner edits the set and sees everything; others never could read it anyway."""
    api_client.force_login(world[role])
    response = api_client.get(
        reverse("flashcards:question-detail", args=[world["questions"]["mc"].pk])
    )
    assert response.status_code == (200 if role == "owner" else 404)
    if role == "owner":
        assert "KEYEXPLMC" in response.content.decode()


def test_anonymous_callers_reach_none_of_it(api_client, world):
    response = api_client.get(
        reverse("flashcards:question-detail", args=[world["questions"]["mc"].pk])
    )
    assert response.status_code in {401, 403}
    assert "KEYEXPLMC" not in response.content.decode()


def test_a_card_of_an_open_quiz_cannot_be_rated_in_study(api_client, world):
    api_client.force_login(world["alice"])
    card = cards_of(world["set"])[0]
    response = api_client.post(
        reverse("flashcards:study-review"),
        {"card": card.pk, "rating": 5, "client_review_id": "during"},
    )
    assert response.status_code == 404
    assert not world["alice"].reviews.filter(client_review_id="during").exists()


def test_undoing_a_rating_made_before_the_quiz_puts_the_state_back_but_shows_no_face(
    api_client, world
):
    submit_attempt(attempt=world["attempt"], student=world["alice"])
    api_client.force_login(world["alice"])
    card = cards_of(world["set"])[0]
    rated = api_client.post(
        reverse("flashcards:study-review"),
        {"card": card.pk, "rating": 4, "client_review_id": "before"},
    )
    assert rated.status_code == 201
    start_attempt(
        quiz=QuizFactory(
            owner=world["owner"], question_set=world["set"], classrooms=[world["classroom"]]
        ),
        student=world["alice"],
    )
    undone = api_client.post(reverse("flashcards:study-undo"), {}, format="json")
    assert undone.status_code == 200
    assert (undone.json()["card"], undone.json()["entry"]) == (card.pk, None)
    assert not any(marker in undone.content.decode() for marker in MARKERS)


# --- "quiz only" question sets --------------------------------------------------------------------


@pytest.fixture
def exam_bank():
    owner, co_editor = InstructorFactory(), InstructorFactory()
    alice = StudentFactory()
    classroom = ClassroomFactory(owner=owner)
    join_class(alice, classroom)
    bank = QuestionSetFactory(owner=owner, visibility=QuestionSet.Visibility.QUIZ_ONLY)
    bank.co_editors.add(co_editor)
    questions = build_questions(bank)
    quiz = QuizFactory(owner=owner, question_set=bank, classrooms=[classroom])
    return {
        "owner": owner,
        "co_editor": co_editor,
        "alice": alice,
        "outsider": StudentFactory(),
        "other_instructor": InstructorFactory(),
        "classroom": classroom,
        "bank": bank,
        "questions": questions,
        "quiz": quiz,
    }


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", False),
        ("alice", False),
        ("outsider", False),
        ("owner", True),
        ("co_editor", True),
        ("other_instructor", False),
    ],
)
def test_a_quiz_only_set_is_visible_to_its_owner_and_co_editors_only(
    api_client, exam_bank, role, sees
):
    if role != "anonymous":
        api_client.force_login(exam_bank[role])
    detail = api_client.get(reverse("flashcards:questionset-detail", args=[exam_bank["bank"].pk]))
    question = api_client.get(
        reverse("flashcards:question-detail", args=[exam_bank["questions"]["mc"].pk])
    )
    if sees:
        assert (detail.status_code, question.status_code) == (200, 200)
    else:
        assert detail.status_code in {401, 403, 404}
        assert question.status_code in {401, 403, 404}
        assert "KEYEXPLMC" not in question.content.decode()


@pytest.mark.parametrize("role", ["owner", "co_editor"])
def test_a_quiz_only_set_is_never_studied_not_even_by_its_editors(api_client, exam_bank, role):
    user = exam_bank[role]
    api_client.force_login(user)
    for mode in ("study", "cram"):
        response = api_client.get(
            reverse("flashcards:study-next"),
            {"mode": mode, "limit": 50, "set": exam_bank["bank"].pk},
        )
        assert response.status_code == 200
        assert response.json()["cards"] == []
    bank = exam_bank["bank"].pk
    assert bank in sets_editable_by(user).values_list("pk", flat=True)  # they edit it …
    assert bank not in studied_set_ids(user)  # … and study never shows it
    assert sets_studied_by(user, [bank]) == []


def test_a_quiz_only_set_is_not_given_to_a_class_to_study(api_client, exam_bank):
    api_client.force_login(exam_bank["owner"])
    response = api_client.post(
        reverse("flashcards:classroom-question-sets", args=[exam_bank["classroom"].pk]),
        {"question_set": exam_bank["bank"].pk},
        format="json",
    )
    assert response.status_code == 400
    assert "for quizzes only" in str(response.json())
    assert not exam_bank["classroom"].question_sets.exists()


def test_a_student_meets_quiz_only_questions_inside_their_attempt_and_its_review(
    api_client, exam_bank
):
    api_client.force_login(exam_bank["alice"])
    started = api_client.post(reverse("quizzes:quiz-attempts", args=[exam_bank["quiz"].pk]))
    assert started.status_code == 201
    prompts = [item["question"]["prompt_html"] for item in started.json()["items"]]
    assert any("Softmax of (5.1, 3.2)" in prompt for prompt in prompts)
    assert not any(marker in started.content.decode() for marker in MARKERS)
    attempt_id = started.json()["id"]
    api_client.post(reverse("quizzes:attempt-submit", args=[attempt_id]), {}, format="json")
    review = api_client.get(reverse("quizzes:attempt-review", args=[attempt_id]))
    assert "KEYEXPLMC" in review.content.decode()
    assert Attempt.objects.get(pk=attempt_id).max_score > Decimal(0)
    # … and still never in study, nor through the question API.
    question = api_client.get(
        reverse("flashcards:question-detail", args=[exam_bank["questions"]["mc"].pk])
    )
    assert question.status_code == 404


def test_the_class_page_does_not_offer_a_quiz_only_set(client, exam_bank):
    client.force_login(exam_bank["owner"])
    page = client.get(reverse("class-list")).content.decode()
    assert f'value="{exam_bank["bank"].pk}"' not in page


def test_an_owner_can_make_a_set_quiz_only_in_the_editor(client, exam_bank):
    client.force_login(exam_bank["owner"])
    page = client.get(reverse("set-edit", args=[exam_bank["bank"].pk])).content.decode()
    assert 'value="quiz_only" selected' in page
