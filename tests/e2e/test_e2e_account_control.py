"""Forgot password → the email file → a new password → signed in; download my data; delete
my account — in a real Chromium against the real server (emails go to var/mail/ files)."""

from __future__ import annotations

import json
import re
from email import message_from_bytes

import pytest

from flashcards.models import User
from tests.e2e.conftest import screenshot
from tests.flashcards.factories import PASSWORD, StudentFactory

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "violet staircase 93 winter"


def reset_link_in(mail_dir, address: str) -> str:
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not raw.strip():
                continue
            message = message_from_bytes(raw)
            if message["To"] != address:
                continue
            text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
            found = re.search(
                r"https?://\S+/accounts/reset/\S+/", text.get_payload(decode=True).decode()
            )
            if found:
                return found.group(0)
    raise AssertionError(f"no reset email to {address} in {mail_dir}")


def test_forgot_password_email_file_new_password_then_sign_in(new_page, site_workdir):
    student = StudentFactory(email="forgetful@example.org")
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("forgetful@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url("**/accounts/password/reset/sent/")
    assert "If an account has this address" in page.content()

    page.goto(reset_link_in(site_workdir / "mail", "forgetful@example.org"))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    screenshot(page, "password-reset-new-password")
    page.get_by_role("button", name="Save the new password").click()
    page.wait_for_url("**/accounts/reset/done/")

    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(student.username)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")


def test_download_my_data_then_delete_my_account(new_page):
    student = StudentFactory(email="leaving@example.org")
    page = new_page(user=student)
    page.goto("/settings/")
    page.get_by_role("link", name="Your data: download it, or delete your account").click()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data").click()
    data = json.loads(download_info.value.path().read_text(encoding="utf-8"))
    assert data["profile"]["username"] == student.username

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand").check()
    screenshot(page, "delete-account")
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url("**/")
    assert "Your account and your personal data are deleted." in page.content()
    assert not User.objects.filter(pk=student.pk).exists()
