"""Fixtures shared by the dashboard's end-to-end tests."""

import pytest
from playwright.sync_api import expect

# Assertions wait for the page's state up to this long (a bound for slow machines, not a pause).
expect.set_options(timeout=15_000)


@pytest.fixture
def page_errors(page):
    """Uncaught page errors, any dialog (an executed `alert` would mean injected script) and any
    Content-Security-Policy violation (something the page needs that its policy forbids)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("console", lambda m: errors.append(f"console: {m.text}")
            if "Content Security Policy" in m.text else None)
    return errors
