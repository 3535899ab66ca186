"""Images in imported text that a page would not show: the warnings importers give for them.

Moodle's text refers to its own files as `@@PLUGINFILE@@/name.png` (resolved by Moodle only)
or embeds them as `data:` URLs; GIFT carries neither file, and quizsite does not store media
from Moodle files.  Such an `<img>` is taken out of the HTML when it is converted (its alt
text stays) and reported here, one warning per question naming the files, so nothing
disappears silently.  Images that survive as Markdown but point outside the site's media
are shown as links by the renderer (`flashcards.richtext.foreign_images`); they are reported
too, as a separate class.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from flashcards.formats.base import WARNING, ParsedQuestion, Problem
from flashcards.richtext import foreign_images

PLUGINFILE = "@@PLUGINFILE@@"
# Stable warning classes (Problem.code).
IMAGE_NOT_IMPORTED = "image-not-imported"
IMAGE_SHOWN_AS_LINK = "image-shown-as-link"


def keep_moodle_image(src: str) -> bool:
    """Whether an `<img>` in Moodle's HTML can stay: not a Moodle file, not a data: URL."""
    return not (src.startswith(PLUGINFILE) or src[:5].lower() == "data:")


def image_name(src: str) -> str:
    """What to call an image in a message: its file name, or the kind of a data: URL."""
    if src[:5].lower() == "data:":
        return _("an embedded %(kind)s image") % {
            "kind": src[5:].split(";", 1)[0].split(",", 1)[0] or "data"
        }
    name = src[len(PLUGINFILE) :].lstrip("/") if src.startswith(PLUGINFILE) else src
    return repr(name or src)


def question_texts(question: ParsedQuestion) -> list[str]:
    texts = [
        question.prompt,
        question.answer,
        question.general_feedback,
        question.true_feedback,
        question.false_feedback,
    ]
    for choice in question.choices:
        texts.extend((choice.text, choice.feedback))
    texts.extend(answer.feedback for answer in question.numerical_answers)
    return [text for text in texts if text]


def image_problems(question: ParsedQuestion, dropped: list[str], why: str) -> list[Problem]:
    """Warnings at the question's position for the images taken out and those shown as links.

    `why` ends the not-imported message: what the source format lacks.
    """
    problems = []
    if dropped:
        names = ", ".join(dict.fromkeys(image_name(src) for src in dropped))
        problems.append(
            Problem(
                question.line,
                question.column,
                _(
                    "Image not imported: %(names)s; %(why)s Upload the image and add it to "
                    "the question again; its alt text was kept."
                )
                % {"names": names, "why": why},
                WARNING,
                IMAGE_NOT_IMPORTED,
            )
        )
    foreign = [src for text in question_texts(question) for src in foreign_images(text)]
    if foreign:
        names = ", ".join(dict.fromkeys(image_name(src) for src in foreign))
        problems.append(
            Problem(
                question.line,
                question.column,
                _(
                    "Image shown as a link (an embedded one as its alt text), not loaded: "
                    "%(names)s; only images stored on this site are shown."
                )
                % {"names": names},
                WARNING,
                IMAGE_SHOWN_AS_LINK,
            )
        )
    return problems
