"""Per-student parameter fitting: validated before adoption, stored with its log loss, and
followed by a reschedule; queued after enough reviews and run by a real Celery worker."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating
from fsrs.scheduler import DEFAULT_PARAMETERS

from flashcards import scheduling
from flashcards.models import Card, CardState, ParameterFit, ReviewLog, StudySettings
from flashcards.scheduling import LoggedReview, MemoryState, SchedulerConfig, StudyScheduler
from flashcards.services import study as services
from tests.flashcards.factories import StudentFactory, cards_of, studyable_set

pytestmark = pytest.mark.django_db

START = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
RAW_FOR = {Rating.Again: 1, Rating.Hard: 3, Rating.Good: 4, Rating.Easy: 5}


def simulate(n_cards: int, reviews_per_card: int, seed: int = 7) -> list[LoggedReview]:
    """Reviews of a simulated student whose recall follows FSRS with its default parameters."""
    rng = random.Random(seed)
    truth = StudyScheduler(SchedulerConfig(learning_steps=(), relearning_steps=()), rng=rng)
    history = []
    for card in range(n_cards):
        state, when = MemoryState(), START + timedelta(hours=rng.randrange(0, 24 * 30))
        for _ in range(reviews_per_card):
            recalled = state.is_new or rng.random() < truth.retrievability(state, when)
            if not recalled:
                grade = Rating.Again
            else:
                grade = rng.choices([Rating.Hard, Rating.Good, Rating.Easy], [1, 6, 2])[0]
            history.append(LoggedReview(card_id=card, rating=grade, when=when))
            state = truth.review(state, grade, when)
            # Students come back a bit late or early, never on time to the minute.
            when = state.due + timedelta(hours=rng.randrange(-12, 60))
    return scheduling.sort_history(history)


def test_a_fit_on_too_few_reviews_keeps_the_current_parameters():
    result = scheduling.fit_parameters(simulate(n_cards=20, reviews_per_card=5))

    assert not result.adopted
    assert result.parameters == list(DEFAULT_PARAMETERS)
    assert "not enough reviews" in result.reason


def test_the_vectorised_replay_the_fit_optimises_gives_the_packages_own_log_loss():
    import torch

    history = simulate(n_cards=30, reviews_per_card=6)
    shifted = [x * 1.2 if i not in (7, 20) else x for i, x in enumerate(DEFAULT_PARAMETERS)]
    for parameters in (DEFAULT_PARAMETERS, shifted):
        exact = scheduling.predict_history(history, parameters)
        w = torch.tensor(parameters, dtype=torch.float64)
        summed = scheduling._summed_log_loss(w, scheduling._review_tensors(history))
        assert float(summed) / len(exact) == pytest.approx(scheduling.log_loss(exact), abs=1e-9)


@pytest.mark.slow
def test_a_student_like_the_population_keeps_parameters_near_the_defaults():
    # The student behaves exactly like the defaults: whatever the fit finds in the noise, the
    # prior keeps it within the population's spread (weakly identified ones, like the easy
    # bonus, move most), its predictions stay close to the truth's, and it is adopted only if
    # it predicts the validation windows better.
    result = scheduling.fit_parameters(simulate(n_cards=110, reviews_per_card=8))

    assert result.log_loss_before is not None
    assert result.n_validation > 100
    assert len(result.window_log_losses) == scheduling.VALIDATION_WINDOWS
    for fitted, default, spread in zip(
        result.trial_parameters, DEFAULT_PARAMETERS, scheduling.PARAMETER_SPREAD, strict=True
    ):
        assert abs(fitted - default) < spread
    assert abs(result.log_loss_after - result.log_loss_before) < 0.01
    if result.adopted:
        assert result.log_loss_after < result.log_loss_before
    else:
        assert result.parameters == list(DEFAULT_PARAMETERS)


def simulate_a_change(n_cards: int, switch: datetime, seed: int = 11) -> list[LoggedReview]:
    """A student who remembers far longer than the defaults say until `switch`, and exactly
    as the defaults say from then on (a new, harder subject, say): each recall is drawn from
    the model of the day, replayed over the card's whole history."""
    rng = random.Random(seed)
    strong = list(DEFAULT_PARAMETERS)
    strong[:4] = [x * 8 for x in strong[:4]]
    strong[8] += 0.8
    config = SchedulerConfig(learning_steps=(), relearning_steps=())
    early = StudyScheduler(scheduling.with_parameters(config, strong), rng=rng)
    late = StudyScheduler(config, rng=rng)
    history = []
    for card in range(n_cards):
        states = {early: MemoryState(), late: MemoryState()}
        when = START + timedelta(hours=rng.randrange(0, 24 * 60))
        while when < START + timedelta(days=240):
            truth = early if when < switch else late
            recalled = states[truth].is_new or rng.random() < truth.retrievability(
                states[truth], when
            )
            grade = Rating.Good if recalled else Rating.Again
            history.append(LoggedReview(card_id=card, rating=grade, when=when))
            states = {model: model.review(state, grade, when) for model, state in states.items()}
            when = states[truth].due + timedelta(hours=rng.randrange(-12, 36))
    return scheduling.sort_history(history)


@pytest.mark.slow
def test_a_fit_that_predicts_the_later_reviews_worse_is_not_adopted():
    history = simulate_a_change(n_cards=300, switch=START + timedelta(days=90))
    cut = scheduling.validation_cuts(history)[0]
    assert history[cut].when > START + timedelta(days=90)  # validation is all after the change

    result = scheduling.fit_parameters(history)

    assert not result.adopted, result.reason
    assert result.parameters == list(DEFAULT_PARAMETERS)
    assert result.log_loss_after >= result.log_loss_before
    assert "no better" in result.reason


def _store_history(student, history: list[LoggedReview]) -> list[Card]:
    """Put a simulated history into the database as the student's reviews and card states."""
    chapter = studyable_set(student, questions=len({r.card_id for r in history}))
    cards = cards_of(chapter)
    scheduler = StudyScheduler(SchedulerConfig(learning_steps=(), relearning_steps=()))
    states: dict[int, MemoryState] = {}
    logs = []
    for i, review in enumerate(history):
        before = states.get(review.card_id, MemoryState())
        after = scheduler.review(before, review.rating, review.when, fuzz=False)
        states[review.card_id] = after
        logs.append(
            ReviewLog(
                student=student,
                card=cards[review.card_id],
                question_set_id=cards[review.card_id].question_set_id,
                rating=RAW_FOR[review.rating],
                fsrs_rating=int(review.rating),
                reviewed_at=review.when,
                client_review_id=f"sim-{i}",
                state_before=before.to_dict(),
                state_after=after.to_dict(),
                previous_state=before.state,
            )
        )
    ReviewLog.objects.bulk_create(logs)
    for card_index, state in states.items():
        row = CardState(
            student=student, card=cards[card_index], question_set_id=cards[0].question_set_id
        )
        services._apply(row, state)
        row.save()
    return cards


def real_history(reviews_dir, n_cards: int = 400) -> list[LoggedReview]:
    """The complete histories of the first `n_cards` cards a real SuperMemo user studied."""
    from benchmarks.scheduler import history_from, read_log

    history = history_from(
        read_log(reviews_dir / "supermemo-ZebesYoshi.csv"), scale=5, mapping="failure-aware"
    )
    first_seen: dict[int, int] = {}
    for review in history:
        first_seen.setdefault(review.card_id, len(first_seen))
    keep = {card for card, order in first_seen.items() if order < n_cards}
    renumber = {card: first_seen[card] for card in keep}
    return [
        LoggedReview(card_id=renumber[r.card_id], rating=r.rating, when=r.when)
        for r in history
        if r.card_id in keep
    ]


@pytest.mark.slow
def test_adopted_parameters_are_stored_with_their_log_loss_and_every_card_is_rescheduled(
    reviews_dir,
):
    student = StudentFactory()
    history = real_history(reviews_dir)
    _store_history(student, history)
    before = {row.card_id: (row.stability, row.due) for row in CardState.objects.all()}
    fit = ParameterFit.objects.create(student=student)

    assert services.run_parameter_fit(fit_id=fit.pk) == ParameterFit.Status.ADOPTED

    fit.refresh_from_db()
    settings_row = StudySettings.objects.get(student=student)
    assert settings_row.parameters == fit.parameters
    assert len(fit.parameters) == len(DEFAULT_PARAMETERS)
    assert fit.parameters != list(DEFAULT_PARAMETERS)
    assert fit.log_loss_after < fit.log_loss_before
    assert fit.n_reviews == len(history)
    assert fit.cards_rescheduled == 400
    after = {row.card_id: (row.stability, row.due) for row in CardState.objects.all()}
    assert sum(1 for card_id in before if before[card_id] != after[card_id]) > 300
    # The next review is scheduled with the new parameters, and a redelivered task is a no-op.
    card = CardState.objects.filter(student=student).first().card
    outcome = services.submit_review(
        student=student, card_id=card.pk, rating=4, client_review_id="after-fit"
    )
    assert outcome.state.stability is not None
    assert services.run_parameter_fit(fit_id=fit.pk) == "already finished"


def test_enough_reviews_queue_one_fit_and_a_burst_does_not_queue_a_second(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("flashcards.services.study.fitting.FIT_AFTER_REVIEWS", 3)
    student = StudentFactory()
    cards = cards_of(studyable_set(student, questions=5))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for i, card in enumerate(cards):
            services.submit_review(
                student=student, card_id=card.pk, rating=4, client_review_id=f"b{i}"
            )

    fits = ParameterFit.objects.filter(student=student)
    assert fits.count() == 1
    assert fits.get().status == ParameterFit.Status.PENDING
    assert len(callbacks) == 1  # the task is enqueued once, after commit


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_queued_fit_and_records_the_outcome(celery_worker):
    student = StudentFactory()
    cards = cards_of(studyable_set(student, questions=3))
    for i, card in enumerate(cards):
        services.submit_review(student=student, card_id=card.pk, rating=4, client_review_id=f"w{i}")

    fit = services.request_parameter_fit(student=student)  # commits: enqueued at once

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        fit.refresh_from_db()
        if fit.status not in (ParameterFit.Status.PENDING, ParameterFit.Status.RUNNING):
            break
        time.sleep(0.2)
    assert fit.status == ParameterFit.Status.REJECTED, celery_worker.log()
    assert "not enough reviews" in fit.message
    assert fit.n_reviews == 3
    assert fit.finished_at is not None
    assert StudySettings.objects.get(student=student).parameters == []
