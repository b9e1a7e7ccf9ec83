"""Fixtures for the demo tests: the shipped archives unpacked once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from torchloupe.demo.data import prepare_mnist


@pytest.fixture(scope="session")
def mnist_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped MNIST subset unpacked into a session-wide temporary folder."""
    return prepare_mnist(tmp_path_factory.mktemp("mnist"))
