"""Browser UI benchmark: bytes a page costs and how fast the study loop answers a key press.

Runs the real site (gunicorn, production settings, collected and compressed static files) on
a fresh SQLite database in a temporary directory, and drives Debian's Chromium with
Playwright.  Figures:

- `<page>_page_weight`: bytes transferred (headers + compressed bodies) for a cold load of
  the page with all its CSS/JS (dashboard, set, a quiz attempt of every card of the set,
  study); aim for the study page: < 150 KB.
- `study_rating_to_next_card`: median ms from a rating key press (1–5) to the next card on
  screen, measured inside the page; aim < 150 ms on loopback.  Printed once the study page
  exists (the study feature's page).

    python -m benchmarks.ui [--cards N] [--ratings N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _environment(workdir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "QUIZSITE_VAR_DIR": str(workdir),
        "STATIC_ROOT": str(workdir / "static"),
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "DEMO_DEVICE": "cpu",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "quizsite.settings",
    }
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def _seed(cards: int) -> dict:
    """A student in a class with one set of `cards` flashcards; returns ids for the pages."""
    from flashcards.models import Classroom, Question, QuestionSet, User
    from flashcards.services.classes import assign_set
    from flashcards.services.content import create_question

    instructor = User.objects.create_user("bench-teacher", password="x", role="instructor")
    student = User.objects.create_user("bench-student", password="x", role="student")
    question_set = QuestionSet.objects.create(
        title="Benchmark chapter", owner=instructor, visibility=QuestionSet.Visibility.CLASSES
    )
    for number in range(cards):
        create_question(  # through the service, which makes the question's study cards
            question_set=question_set,
            data={
                "kind": Question.Kind.FLASHCARD,
                "position": number,
                "prompt": f"Card {number}: what does $\\sigma({number})$ equal?",
                "answer": f"$\\sigma({number}) = 1 / (1 + e^{{-{number}}})$",
            },
        )
    classroom = Classroom.objects.create(name="Benchmark class", owner=instructor)
    classroom.members.add(student)
    assign_set(classroom=classroom, question_set=question_set, actor=instructor)
    from quizzes.services.attempts.start import start_attempt
    from quizzes.services.quizzes import create_quiz

    quiz = create_quiz(
        owner=instructor,
        title="Benchmark quiz",
        question_set=question_set,
        classrooms=[classroom],
        time_limit_seconds=3600,
    )
    attempt, _created = start_attempt(quiz=quiz, student=student)
    return {"student": student, "set_id": question_set.pk, "attempt_id": attempt.pk}


def _session_cookie(user, base_url: str) -> dict:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}


def page_weight(browser, base_url: str, cookie: dict, path: str) -> int:
    """Bytes on the wire for a cold load: every response's headers plus its encoded body."""
    context = browser.new_context(base_url=base_url)
    context.add_cookies([cookie])
    page = context.new_page()
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(path, wait_until="networkidle")
    total = 0
    for request in requests:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    context.close()
    return total


def rating_latency(browser, base_url: str, cookie: dict, path: str, ratings: int) -> list[float]:
    """Milliseconds from a rating key press to the next card on screen, timed in the page.

    The study page marks the shown card with `data-card-id` on `#study-card`; the clock starts
    in a keydown listener registered before the page's own and stops when that id changes.
    """
    context = browser.new_context(base_url=base_url)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(path)
    timings = []
    for _ in range(ratings):
        card = page.locator("#study-card")
        card.wait_for()
        before = card.get_attribute("data-card-id")
        if before is None:
            break
        page.keyboard.press("Space")
        page.locator("#study-card[data-revealed='true']").wait_for()
        elapsed = page.evaluate(
            """(before) => new Promise((resolve) => {
                const start = performance.now();
                const done = () => {
                    const card = document.getElementById("study-card");
                    if (!card || card.dataset.cardId !== before) {
                        observer.disconnect();
                        requestAnimationFrame(() => resolve(performance.now() - start));
                        return true;
                    }
                    return false;
                };
                const observer = new MutationObserver(done);
                observer.observe(document.body, {subtree: true, childList: true, attributes: true});
                document.dispatchEvent(new KeyboardEvent("keydown", {key: "4", bubbles: true}));
            })""",
            before,
        )
        timings.append(elapsed)
    context.close()
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=40)
    parser.add_argument("--ratings", type=int, default=20)
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        workdir = Path(tmp)
        env = _environment(workdir)
        _manage(env, "migrate", "--noinput")
        _manage(env, "createcachetable")
        _manage(env, "collectstatic", "--noinput")
        os.environ.update(
            {key: env[key] for key in ("DATABASE_URL", "QUIZSITE_VAR_DIR", "STATIC_ROOT", "DEBUG")}
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        import django

        django.setup()
        from django.urls import NoReverseMatch, reverse

        from tests.web import running_web_server

        seeded = _seed(args.cards)
        pages = {
            "dashboard": reverse("dashboard"),
            "set": reverse("set-detail", args=[seeded["set_id"]]),
            "quiz_attempt": reverse("attempt-page", args=[seeded["attempt_id"]]),
        }
        try:
            pages["study"] = reverse("study-set", args=[seeded["set_id"]])
        except NoReverseMatch:
            pages["study"] = None

        with running_web_server(env, workdir, workers=2) as base_url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            cookie = _session_cookie(seeded["student"], base_url)
            for name, path in pages.items():
                if path is None:
                    print(f"# {name}: page not built yet, skipped")
                    continue
                weight = page_weight(browser, base_url, cookie, path)
                print(f"{name}_page_weight: {weight / 1024:.1f} KB")
            if pages["study"]:
                timings = rating_latency(browser, base_url, cookie, pages["study"], args.ratings)
                if timings:
                    print(f"study_rating_to_next_card_p50: {statistics.median(timings):.1f} ms")
                    print(f"study_rating_to_next_card_max: {max(timings):.1f} ms")
                    print(f"study_ratings_timed: {len(timings)} count")
            browser.close()


if __name__ == "__main__":
    main()
