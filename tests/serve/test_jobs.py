"""The job runner and its in-memory twin: states, progress, disk cache, errors."""

import threading
import time

import numpy as np

from torchloupe.serve.jobs import InlineJobRunner, JobRunner


def test_inline_runs_at_once_and_reports_errors():
    r = InlineJobRunner()
    assert r.submit("a", lambda p: np.ones(2)).state == "done"
    st = r.submit("b", lambda p: 1 / 0)
    assert st.state == "error" and "ZeroDivisionError" in st.error
    assert r.status("nope").state == "missing"


def test_threads_progress_and_disk_cache(tmp_path):
    gate = threading.Event()

    def job(progress):
        progress(0.5, "half")
        gate.wait(5)
        return np.arange(4)

    r = JobRunner(tmp_path)
    r.submit("k", job)
    deadline = time.time() + 5
    while r.status("k").progress < 0.5 and time.time() < deadline:
        time.sleep(0.01)
    st = r.status("k")
    assert st.state == "running" and st.progress == 0.5 and st.message == "half"
    assert r.submit("k", job).state == "running"   # not started twice
    gate.set()
    while r.status("k").state != "done" and time.time() < deadline:
        time.sleep(0.01)
    assert r.result("k").tolist() == [0, 1, 2, 3]
    r.close()
    again = JobRunner(tmp_path)                    # survives a restart
    assert again.submit("k", lambda p: 1 / 0).state == "done"
    assert again.result("k").tolist() == [0, 1, 2, 3]
    again.close()


def _job_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("torchloupe-job")]


def test_app_lifespan_stops_the_runner(tmp_path):
    """The app owns its runner: a running job is stopped and the threads end with the app."""
    from fastapi.testclient import TestClient

    from torchloupe.serve.app import create_app

    app = create_app(tmp_path / "loupe")
    started = threading.Event()

    def endless(progress):
        started.set()
        while True:
            progress(0.5, "spinning")
            time.sleep(0.005)

    with TestClient(app, base_url="http://127.0.0.1"):
        app.state.jobs.submit("k", endless)
        assert started.wait(5)
        assert _job_threads()
    assert not _job_threads()
    st = app.state.jobs.status("k")
    assert st.state == "error" and "shutting down" in st.error


def test_stopping_the_server_closes_its_job_runner(tmp_path, monkeypatch):
    from torchloupe.serve.server import start

    closed = []
    monkeypatch.setattr(JobRunner, "close", lambda self: closed.append(self))
    handle = start(tmp_path / "loupe", port=0)
    assert closed == []
    handle.stop()
    assert len(closed) == 1
