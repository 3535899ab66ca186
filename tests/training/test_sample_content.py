"""The sample course: valid, large and varied enough, answers that check out when computed,
demo titles in place, and a loader that is idempotent."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest
import torch
from django.apps import apps
from django.core.management import call_command

from flashcards.models import Choice, NumericalAnswer, Question, QuestionSet
from flashcards.sample_content import DEMO_PASSWORD, check_course, load_sample_content, read_course
from flashcards.selectors.content import can_edit_set, can_view_set
from tests.flashcards.factories import StudentFactory
from training.models import DemoAttachment
from training.sample_demos import SAMPLE_DEMOS

DEMO_TITLES = {
    "Training a digit classifier": [
        "Drawing sigmoid",
        "Drawing ReLU",
        "A 3×3 tensor",
        "Broadcasting",
        "Pixel similarity",
        "The seven steps of SGD",
        "Why not always a high learning rate",
        "Computing gradients",
        "A linear model from scratch",
    ],
    "Training neural networks": [
        "Softmax",
        "Cross-entropy",
        "Batch normalisation",
        "Epochs, batches and gradient updates",
        "Activation functions",
        "Recognising a drawn digit",
    ],
}


@pytest.fixture(scope="module")
def course():
    return read_course()


def questions_by_title(course) -> dict[str, dict]:
    return {q["title"]: q for s in course["sets"] for q in s["questions"]}


def accepts(question: dict, number: float) -> bool:
    """Whether a full-credit numerical answer of the sample question accepts `number`."""
    answers = [a for a in question["numerical_answers"] if a.get("weight", 100) == 100]
    rows = [NumericalAnswer(**{k: v for k, v in a.items() if k != "feedback"}) for a in answers]
    return any(row.accepts(number) for row in rows)


# --- the data ---------------------------------------------------------------------------------


def test_every_sample_question_is_valid_and_titled_uniquely(course):
    check_course(course)


def test_the_course_has_at_least_60_questions_mixing_every_kind(course):
    questions = [q for s in course["sets"] for q in s["questions"]]
    assert len(questions) >= 60
    kinds = Counter(q["kind"] for q in questions)
    assert set(kinds) == set(Question.Kind.values)
    multi = [q for q in questions if q["kind"] == "multiple_choice" and q.get("allow_multiple")]
    ranges = [q for q in questions if any("minimum" in a for a in q.get("numerical_answers", []))]
    assert multi
    assert ranges


def test_the_sets_are_the_two_chapters_in_order(course):
    assert [s["title"] for s in course["sets"]] == list(DEMO_TITLES)


def test_questions_that_demos_attach_to_have_their_exact_titles(course):
    for question_set in course["sets"]:
        titles = {q["title"] for q in question_set["questions"]}
        missing = set(DEMO_TITLES[question_set["title"]]) - titles
        assert not missing, (question_set["title"], missing)


def test_the_numerical_answers_match_what_we_compute(course):
    by_title = questions_by_title(course)
    logits = torch.tensor([5.1, 3.2, -1.7, -2.0])
    probabilities = torch.softmax(logits, dim=0)
    assert accepts(by_title["Softmax"], probabilities[0].item())
    cross_entropy = torch.nn.functional.cross_entropy(logits[None], torch.tensor([1]))
    assert accepts(by_title["Cross-entropy"], cross_entropy.item())
    assert accepts(by_title["Epochs, batches and gradient updates"], math.ceil(60000 / 128) * 5)
    assert not accepts(by_title["Epochs, batches and gradient updates"], 60000 // 128 * 5)
    assert accepts(by_title["Sigmoid output"], torch.sigmoid(torch.tensor(2.0)).item())
    rmse = torch.sqrt(torch.mean((torch.tensor([2.0, 4, 6]) - torch.tensor([1.0, 4, 8])) ** 2))
    assert accepts(by_title["RMSE by hand"], rmse.item())
    x = torch.tensor(3.0, requires_grad=True)
    (x**2).backward()
    assert accepts(by_title["Computing gradients"], x.grad.item())
    linear = torch.nn.Linear(28 * 28, 1)
    parameters = sum(p.numel() for p in linear.parameters())
    assert accepts(by_title["Parameters of the linear model"], parameters)
    precision, recall = 40 / 50, 40 / 80
    assert accepts(by_title["F1 score"], 2 * precision * recall / (precision + recall))
    z = torch.tensor(0.0, requires_grad=True)
    torch.sigmoid(z).backward()
    assert accepts(by_title["Sigmoid derivative bound"], z.grad.item() ** 10)


def test_the_code_in_the_tensor_answer_gives_the_result_it_claims(course):
    answer = questions_by_title(course)["A 3×3 tensor"]["answer"]
    code = re.search(r"```python\n(.*?)```", answer, re.S).group(1)
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["doubled"][1:, 1:].tolist() == [[10, 12], [16, 18]]
    assert "tensor([[10, 12], [16, 18]])" in answer


def test_activation_function_weights_give_full_credit_for_all_four(course):
    question = questions_by_title(course)["Activation functions"]
    correct = [c for c in question["choices"] if c.get("is_correct")]
    assert sorted(c["text"] for c in correct) == ["GELU", "ReLU", "sigmoid", "tanh"]
    assert sum(c["weight"] for c in correct) == 100


# --- loading ----------------------------------------------------------------------------------


def snapshot() -> dict[str, list[dict]]:
    """Every row of every flashcards table and auto-created M2M table, in primary-key order."""
    models = [*apps.get_app_config("flashcards").get_models(include_auto_created=True)]
    return {model._meta.db_table: list(model.objects.order_by("pk").values()) for model in models}


@pytest.mark.django_db
def test_loading_twice_leaves_the_same_data_as_loading_once():
    call_command("load_sample_content", stdout=open("/dev/null", "w"))  # noqa: SIM115
    once = snapshot()
    report = load_sample_content()
    assert snapshot() == once
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == Question.objects.count()


@pytest.mark.django_db
def test_it_creates_the_demo_accounts_class_and_course(client, capsys):
    call_command("load_sample_content")
    output = capsys.readouterr().out
    report = load_sample_content()
    assert f"password: {DEMO_PASSWORD}" in output
    assert report.classroom.join_code in output
    assert report.instructor.is_instructor
    assert report.student.role == "student"
    assert client.login(username="student", password=DEMO_PASSWORD)
    assert list(report.classroom.members.all()) == [report.student]
    assert set(report.classroom.question_sets.all()) == set(report.sets)
    for question_set in report.sets:
        assert question_set.course == report.course
        assert question_set.visibility == QuestionSet.Visibility.CLASSES
        assert can_view_set(report.student, question_set)
        assert can_edit_set(report.instructor, question_set)
        assert not can_view_set(StudentFactory(), question_set)
    assert Question.objects.count() >= 60


@pytest.mark.django_db
def test_the_command_attaches_live_demos_to_the_course_answers_once(capsys):
    call_command("load_sample_content")
    call_command("load_sample_content")
    output = capsys.readouterr().out

    set_titles = {set_title for set_title, _ in SAMPLE_DEMOS}
    attached = DemoAttachment.objects.filter(question__question_set__title__in=set_titles)
    expected = sum(len(demos) for demos in SAMPLE_DEMOS.values())
    assert attached.count() == expected
    assert "No question" not in output  # every listed question exists in the sample course
    assert {a.question.title for a in attached} == {title for _, title in SAMPLE_DEMOS}
    assert all(a.run_id for a in attached)


@pytest.mark.django_db
def test_reloading_restores_an_edited_question_keeping_its_answer_ids():
    load_sample_content()
    question = Question.objects.get(title="Why not always a high learning rate")
    choice_ids = list(question.choices.values_list("pk", flat=True))
    Choice.objects.filter(pk=choice_ids[0]).update(is_correct=False, text="tampered")
    Question.objects.filter(pk=question.pk).update(prompt="tampered")

    report = load_sample_content()

    question.refresh_from_db()
    assert (report.updated, report.created) == (1, 0)
    assert question.prompt.startswith("A larger learning rate")
    assert question.version == 2
    assert list(question.choices.values_list("pk", flat=True)) == choice_ids
    assert question.choices.get(pk=choice_ids[0]).is_correct


@pytest.mark.django_db
def test_existing_passwords_are_kept_unless_a_reset_is_asked_for(client):
    report = load_sample_content()
    report.student.set_password("my own secret")
    report.student.save()
    load_sample_content()
    assert client.login(username="student", password="my own secret")
    load_sample_content(reset_passwords=True)
    assert client.login(username="student", password=DEMO_PASSWORD)


@pytest.mark.django_db
def test_the_sample_rich_text_renders_math_and_code_cleanly():
    load_sample_content()
    html = [
        value
        for model, fields in (
            (Question, ["prompt_html", "answer_html", "general_feedback_html"]),
            (Choice, ["text_html", "feedback_html"]),
            (NumericalAnswer, ["feedback_html"]),
            (QuestionSet, ["description_html"]),
        )
        for row in model.objects.values_list(*fields)
        for value in row
    ]
    assert not [h for h in html if "math-error" in h]
    assert sum("<math" in h for h in html) >= 25
    assert sum('<pre class="highlight">' in h for h in html) >= 3
    assert all("{{c" not in h for h in html)
