"""Every string a person reads is translated into Portuguese (Brazil) and Danish.

Two checks: the committed catalogues are valid and complete (`msgfmt --check`, no empty and
no fuzzy msgstr), and every translatable string in the code is in them.  The second runs
Django's own extraction (`makemessages`) on a copy of the project in a temporary directory,
so the real catalogues are never rewritten, and reads what the extraction found missing: a
string added to a template or a module without its translation fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import servers

LANGUAGES = ("pt_BR", "da")
SOURCES = ("flashcards", "frontend", "lti", "quizsite", "quizzes", "training", "manage.py")
LOCALE = servers.ROOT / "locale"


def _require_gettext() -> None:
    for tool in ("msgfmt", "msgattrib", "xgettext", "msgmerge"):
        servers.require(
            shutil.which(tool) is not None, f"{tool} is missing (apt-get install gettext)"
        )


def _entries(po: Path, *flags: str) -> list[str]:
    """The msgids msgattrib selects with `flags` (header excluded), as readable text."""
    output = subprocess.run(
        ["msgattrib", "--no-obsolete", "--no-wrap", *flags, str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    msgids = []
    for block in output.split("\n\n"):
        parts, reading = [], False
        for line in block.splitlines():
            if line.startswith("msgid "):
                reading = True
                parts.append(line[len("msgid ") :].strip('"'))
            elif reading and line.startswith('"'):
                parts.append(line.strip('"'))
            else:
                reading = False if reading else reading
        msgid = "".join(parts)
        if msgid:  # the header's msgid is empty
            msgids.append(msgid)
    return msgids


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_passes_msgfmt_check(language):
    _require_gettext()
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_catalogue_entry_is_empty_or_fuzzy(language):
    _require_gettext()
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    assert _entries(po, "--untranslated") == []
    assert _entries(po, "--only-fuzzy") == []


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The project copied to a temporary directory and its strings extracted there."""
    _require_gettext()
    copy = tmp_path_factory.mktemp("messages")
    for name in SOURCES:
        source = servers.ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            shutil.copy2(source, copy / name)
    shutil.copytree(LOCALE, copy / "locale")
    env = {**os.environ, "PYTHONPATH": str(copy), "DJANGO_SETTINGS_MODULE": "quizsite.settings"}
    command = [sys.executable, "manage.py", "makemessages", "--no-location", "--no-obsolete"]
    for language in LANGUAGES:
        command += ["-l", language]
    subprocess.run(command, cwd=copy, env=env, check=True, capture_output=True)
    return copy / "locale"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translatable_string_in_the_code_has_a_translation(extracted, language):
    po = extracted / language / "LC_MESSAGES" / "django.po"
    untranslated = _entries(po, "--untranslated")
    fuzzy = _entries(po, "--only-fuzzy")  # msgmerge's guess from a similar string: not one
    assert untranslated == [], f"{len(untranslated)} strings lack a {language} translation"
    assert fuzzy == [], f"{len(fuzzy)} strings have only a guessed {language} translation"
