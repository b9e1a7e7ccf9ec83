"""Shared fixtures: a fresh store directory and headless Chromium (Debian's) for browser tests."""

from __future__ import annotations

import os

import pytest

CHROMIUM = os.environ.get("TORCHLOUPE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-unsafe-swiftshader",
]


@pytest.fixture
def store_dir(tmp_path):
    """An empty directory for a store."""
    return tmp_path / "loupe"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
