"""Checkpoints never run a store's code: the attribution route re-creates only registered,
torchloupe's own, or explicitly trusted model classes, and reads weights with weights_only=True."""

from __future__ import annotations

import io
import sys
import textwrap

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

import torchloupe as tl
from torchloupe.demo.model import DemoCNN
from torchloupe.errors import LoupeValueError, UntrustedModelError
from torchloupe.panels.predictions.trust import model_class, registered
from torchloupe.serve.app import create_app

LOCAL = "http://127.0.0.1"
N, C = 12, 3
KWARGS = {"num_classes": C, "channels": [4, 4, 4]}
EVIL = """
import pathlib
pathlib.Path({marker!r}).write_text("the store's code ran")
from torchloupe.demo.model import DemoCNN as Net
"""


def _encode(arrays):
    buf = io.BytesIO()
    torch.save({k: torch.from_numpy(np.array(a, copy=True)) for k, a in arrays.items()}, buf)
    return buf.getvalue(), "pt"


def _store(path, module: str, qualname: str, blob=None) -> str:
    """A run with predictions (with inputs) and a checkpoint whose metadata names ``module``."""
    rng = np.random.default_rng(0)
    labels = np.arange(N) % C
    with tl.init("trust", name="crafted", dir=path) as run:
        run.log_predictions(labels, rng.normal(size=(N, C)), "test", step=0,
                            inputs=torch.rand(N, 1, 16, 16), ids=[f"ex{i}" for i in range(N)])
        state = DemoCNN(**KWARGS).state_dict()
        encode = _encode if blob is None else (lambda arrays: (blob, "pt"))
        run.record("checkpoint", "model", state, step=0, encode=encode,
                   meta={"module": module, "qualname": qualname, "init_kwargs": KWARGS})
    return run.id


def _attribution(path, run_id, **app_kwargs):
    client = TestClient(create_app(path, **app_kwargs), base_url=LOCAL)
    return client.get("/api/v1/predictions/attribution",
                      params={"run": run_id, "id": "ex1", "method": "saliency"})


@pytest.fixture
def planted(tmp_path, monkeypatch):
    """Modules on sys.path that write a marker file when imported: a module and a package."""
    marker = tmp_path / "ran.txt"
    code = textwrap.dedent(EVIL.format(marker=str(marker)))
    (tmp_path / "evil_loupe_mod.py").write_text(code)
    (tmp_path / "evil_loupe_pkg").mkdir()
    (tmp_path / "evil_loupe_pkg" / "__init__.py").write_text(code)
    (tmp_path / "evil_loupe_pkg" / "models.py").write_text("from torchloupe.demo.model import DemoCNN as Net\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield marker
    for name in ("evil_loupe_mod", "evil_loupe_pkg", "evil_loupe_pkg.models"):
        sys.modules.pop(name, None)


@pytest.mark.parametrize("module", ["evil_loupe_mod", "evil_loupe_pkg.models"])
def test_unregistered_class_is_refused_without_importing(tmp_path, planted, module):
    run_id = _store(tmp_path / "loupe", module, "Net")
    r = _attribution(tmp_path / "loupe", run_id)
    assert r.status_code == 403
    error = r.json()["error"]
    assert error["type"] == "UntrustedModelError"
    assert f"{module}.Net is not registered" in error["message"]
    assert "register_model" in error["message"] and "--trust-module" in error["message"]
    assert not planted.exists(), "the store's module was imported"
    assert not any(m.startswith("evil_loupe") for m in sys.modules)


def test_trust_module_lets_the_user_opt_in(tmp_path, planted):
    run_id = _store(tmp_path / "loupe", "evil_loupe_pkg.models", "Net")
    r = _attribution(tmp_path / "loupe", run_id, trusted_modules=["evil_loupe_pkg"])
    assert r.status_code == 200 and r.content[:4] == b"\x89PNG"
    assert planted.exists()  # trusted explicitly: importing it is what the user asked for


def test_registered_class_is_used_without_importing(tmp_path):
    class Registered(DemoCNN):
        pass

    Registered.__module__ = "not_installed_anywhere.nets"
    tl.register_model(Registered)
    run_id = _store(tmp_path / "loupe", "not_installed_anywhere.nets", Registered.__qualname__)
    r = _attribution(tmp_path / "loupe", run_id)
    assert r.status_code == 200 and r.content[:4] == b"\x89PNG"


def test_save_checkpoint_registers_the_class_in_the_recording_process(tmp_path):
    class LocalNet(DemoCNN):  # defined in a function: no module could import it
        pass

    path = tmp_path / "loupe"
    with tl.init("trust", name="local", dir=path) as run:
        run.log_predictions(np.arange(N) % C, np.random.default_rng(0).normal(size=(N, C)), "test",
                            step=0, inputs=torch.rand(N, 1, 16, 16), ids=[f"ex{i}" for i in range(N)])
        run.save_checkpoint(LocalNet(**KWARGS), init_kwargs=KWARGS)
    assert registered(LocalNet.__module__, LocalNet.__qualname__) is LocalNet
    r = _attribution(path, run.id)
    assert r.status_code == 200 and r.content[:4] == b"\x89PNG"


def test_own_classes_are_trusted():
    assert model_class("torchloupe.demo.model", "DemoCNN") is DemoCNN
    with pytest.raises(UntrustedModelError):
        model_class("os", "system")
    with pytest.raises(UntrustedModelError):
        model_class("torchloupe_evil.x", "Net")  # a prefix is not the package


def test_register_model_takes_module_classes_only():
    with pytest.raises(LoupeValueError, match="torch.nn.Module subclass"):
        tl.register_model(dict)
    with pytest.raises(LoupeValueError, match="torch.nn.Module subclass"):
        tl.register_model(DemoCNN())


class Boom:
    """Unpickling this would write a file: ``weights_only=True`` must refuse it."""

    marker = ""

    def __reduce__(self):
        import pathlib

        return (pathlib.Path.write_text, (pathlib.Path(self.marker), "unpickled"))


def test_weights_are_never_unpickled(tmp_path):
    Boom.marker = str(tmp_path / "unpickled.txt")
    buf = io.BytesIO()
    torch.save({"features.0.0.weight": Boom()}, buf)
    run_id = _store(tmp_path / "loupe", "torchloupe.demo.model", "DemoCNN", blob=buf.getvalue())
    r = _attribution(tmp_path / "loupe", run_id)
    assert r.status_code == 422 and "cannot load the checkpoint's weights" in r.json()["error"]["message"]
    assert not (tmp_path / "unpickled.txt").exists()


def test_bad_init_kwargs_are_a_clear_error(tmp_path):
    path = tmp_path / "loupe"
    with tl.init("trust", name="kw", dir=path) as run:
        run.log_predictions(np.arange(N) % C, np.random.default_rng(0).normal(size=(N, C)), "test",
                            step=0, inputs=torch.rand(N, 1, 16, 16), ids=[f"ex{i}" for i in range(N)])
        run.record("checkpoint", "model", DemoCNN(**KWARGS).state_dict(), step=0, encode=_encode,
                   meta={"module": "torchloupe.demo.model", "qualname": "DemoCNN",
                         "init_kwargs": {"no_such_argument": 1}})
    r = _attribution(path, run.id)
    assert r.status_code == 422 and "cannot create DemoCNN" in r.json()["error"]["message"]
