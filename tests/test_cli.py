"""The torchloupe command."""

import math
import subprocess
import sys

import pandas as pd
import pytest

import torchloupe as tl
from torchloupe.cli import main


@pytest.fixture
def store(store_dir):
    with tl.init("mnist", name="brisk-otter-1", config={"lr": 0.001, "opt": {"name": "adam"}},
                 dir=store_dir) as run:
        for i in range(300):
            run.log({"train/loss": 2 / (i + 1), "train/acc": i / 300}, step=i)
        run.log({"train/loss": math.nan}, step=300)
        run.summary["best_acc"] = 0.99
    return store_dir


def test_entry_point_help():
    out = subprocess.run([sys.executable, "-m", "torchloupe.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "usage: torchloupe" in out.stdout


@pytest.mark.parametrize("cmd", ["demo", "ui", "ls", "show", "export"])
def test_help_everywhere(cmd, capsys):
    with pytest.raises(SystemExit) as done:
        main([cmd, "--help"])
    assert done.value.code == 0 and f"usage: torchloupe {cmd}" in capsys.readouterr().out


def test_ls(store, capsys):
    assert main(["ls", "--dir", str(store)]) == 0
    out = capsys.readouterr().out
    assert "brisk-otter-1" in out and "finished" in out and "mnist" in out


def test_show(store, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["show", "brisk-otter-1", "--dir", str(store)]) == 0
    out = capsys.readouterr().out
    for needle in ("brisk-otter-1", "lr", "0.001", "opt.name", "best_acc", "train/loss", "train/acc", "▁"):
        assert needle in out, needle


def test_show_unknown_run(store, capsys):
    assert main(["show", "nope", "--dir", str(store)]) == 2
    assert "no run with id or name 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export(store, tmp_path, fmt):
    out = tmp_path / f"run.{fmt}"
    assert main(["export", "brisk-otter-1", "--dir", str(store), "-o", str(out)]) == 0
    df = pd.read_csv(out) if fmt == "csv" else pd.read_parquet(out)
    assert list(df.columns) == ["run_id", "run_name", "key", "step", "value", "wall_time"]
    assert len(df) == 601
    loss = df[df.key == "train/loss"]
    assert loss["step"].tolist() == list(range(301)) and math.isnan(loss["value"].iloc[-1])


def test_export_bad_format(store, tmp_path, capsys):
    assert main(["export", "brisk-otter-1", "--dir", str(store), "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "unknown export format 'xlsx'" in capsys.readouterr().err


def test_ui_refuses_public_host_without_token(store, capsys):
    assert main(["ui", str(store), "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "--token" in capsys.readouterr().err


def test_no_auth_warns(recwarn):
    from torchloupe.serve.server import check_binding

    with pytest.warns(UserWarning, match="NO authentication"):
        check_binding("0.0.0.0", None, no_auth=True)
    check_binding("127.0.0.1", None, no_auth=False)


def test_recover_says_when_there_is_nothing_to_do(tmp_path, capsys):
    from torchloupe.cli import main

    tl.init("p", dir=tmp_path / "loupe").finish()
    assert main(["recover", "--dir", str(tmp_path / "loupe")]) == 0
    assert "nothing to recover" in capsys.readouterr().out


def test_recover_skips_a_damaged_file_with_a_reason(tmp_path, capsys):
    from torchloupe.cli import main

    tl.init("p", dir=tmp_path / "loupe").finish()
    bad = tmp_path / "bad.spill"
    bad.write_bytes(b"not a zip")
    assert main(["recover", "--dir", str(tmp_path / "loupe"), str(bad)]) == 1
    assert "cannot read the recovery file" in capsys.readouterr().out


def test_python_dash_m_is_the_command():
    out = subprocess.run([sys.executable, "-m", "torchloupe", "ls", "--help"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: torchloupe ls")
