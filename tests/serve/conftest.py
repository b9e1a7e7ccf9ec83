"""Fixtures shared by the dashboard's end-to-end tests."""

import pytest


@pytest.fixture
def page_errors(page):
    """Uncaught page errors and any dialog (an executed `alert` would mean injected script)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    return errors
