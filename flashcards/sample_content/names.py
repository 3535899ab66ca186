"""The sample course's names, in the language of the site that loads it.

The sample course is stored content, like any instructor's: once loaded, its sets belong to
the demo instructor, who may rename or edit them in the editor, and every reader sees what is
stored, exactly as with a set an instructor typed.  So the course is not translated per reader
at display time (a title that changed with the reader would disagree with the editor, the
search and the exports); it is *loaded* in the site's language, `settings.LANGUAGE_CODE`: a
Danish site gets "Træning af en cifferklassifikator", a Brazilian one "Treinando um
classificador de dígitos".  The English names in the TOML files are the msgids (listed below
with gettext_noop, so makemessages finds them); loading again after LANGUAGE_CODE changed
finds the sets by their name in any language and renames them, so nothing is duplicated.
Only the names are translated: the questions themselves are one course, written in English
(its sets say `language = "en"`).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_noop

# Every name the loader translates: set titles, the course's title, the demo class's name.
NAMES = (
    gettext_noop("Training a digit classifier"),
    gettext_noop("Training neural networks"),
    gettext_noop("Deep learning fundamentals"),
    gettext_noop("Deep learning fundamentals (demo class)"),
)


def site_name(name: str) -> str:
    """The name as the site's language says it (the English name where it has no entry)."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(name)


def every_name(name: str) -> set[str]:
    """The name in English and in every language of the site: how a loaded set is found."""
    names = {name}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            names.add(translation.gettext(name))
    return names
