"""Helpers of the browser tests that look at the site as a person meets it, in each language.

`LANGUAGES` are the browser locales the pages are visited in; `audit_both_themes` runs axe-core
in the light and the dark palette; `snap` writes the page's screenshot under
test-artifacts/screenshots/<page>-<language>.png.
"""

from __future__ import annotations

from tests.e2e.conftest import assert_accessible, screenshot

LANGUAGES = ("en-US", "pt-BR", "da-DK")
SHORT = {"en-US": "en", "pt-BR": "pt-BR", "da-DK": "da"}


def audit_both_themes(page, name: str) -> None:
    """No serious or critical axe violations in the light and in the dark palette."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert_accessible(page, f"{name}-{scheme}")
    page.emulate_media(color_scheme="light")


def snap(page, name: str, locale: str):
    return screenshot(page, f"{name}-{SHORT[locale]}")


def say(locale: str, en: str, pt: str, da: str) -> str:
    """The same words in the page's language."""
    return {"en-US": en, "pt-BR": pt, "da-DK": da}[locale]
