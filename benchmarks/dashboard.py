"""Dashboard benchmark: torchloupe's server and page against TensorBoard on the same data.

The data: 100 runs x 100k steps x 3 tags, one run of 10M points and one run of 1M points with a
spike planted at one step; the same 100 runs (and the spike run) as TensorBoard event files.
Generated data is cached in ``--data-dir`` and reused by later runs with the same sizes.

Measured:

1. ``torchloupe ui`` process start -> the API serves one tag of all 100 runs at full fidelity
   (every series with ``n`` == points);
2. once the server is up: time to first data for one chart of one run;
3. headless Chromium: ``window.__loupe.firstChartDrawnAt`` after navigation;
4. the 10M-point series downsampled: ``query.series`` in process, and the HTTP round trip;
5. the spike: in torchloupe's response, and in TensorBoard's;
6. ``tensorboard --logdir`` process start -> the scalars plugin serves that tag of all 100 runs up
   to the last step.

Usage::

    .venv/bin/python benchmarks/dashboard.py                      # full size
    .venv/bin/python benchmarks/dashboard.py --runs 10 --points 10000 --big-points 1000000

The exit status is 0 when the benchmark ran, whether or not the targets were met (it is a report),
and nonzero on errors.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tfevents  # noqa: E402

from torchloupe.store.sqlite import SEAL, SqliteStore  # noqa: E402
from torchloupe.types import RunRecord, RunStatus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STATIC_INDEX = ROOT / "src" / "torchloupe" / "serve" / "static" / "index.html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--enable-unsafe-swiftshader"]

TAGS = ("train/loss", "train/acc", "val/loss")
TAG = TAGS[0]
"""The tag measured across runs (the big and the spike runs log it too)."""
SPIKE_VALUE = 100.0
DATA_VERSION = 2  # bump when the store layout changes (v2: second summary level)
"""Bump when the generated data changes, so cached data is regenerated."""

TARGET_RATIO = 5.0
TARGET_FIRST_CHART_MS = 1500.0
TARGET_DOWNSAMPLE_MS = 100.0


# -- output ------------------------------------------------------------------------------------

_T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s load {os.getloadavg()[0]:4.2f}] {msg}", flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.2f} s"


# -- data --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sizes:
    runs: int
    points: int
    big_points: int
    spike_points: int

    @property
    def spike_step(self) -> int:
        return int(self.spike_points * 0.6180339887)

    @property
    def key(self) -> str:
        return (f"v{DATA_VERSION}-runs{self.runs}-points{self.points}-big{self.big_points}"
                f"-spike{self.spike_points}")


def run_ids(n: int) -> list[str]:
    return [f"r{i:03d}bnch" for i in range(n)]


BIG_ID = "big10mrn"
SPIKE_ID = "spike1mr"
BASE_TIME = 1_780_000_000.0
STEP_SECONDS = 0.01


def curve(tag: str, steps: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """A plausible training curve for ``tag``, as float32 values (what TensorBoard stores)."""
    t = steps / max(n, 1)
    noise = rng.standard_normal(len(steps))
    if tag == "train/acc":
        v = 1.0 - 0.9 * np.exp(-4.0 * t) + 0.01 * noise
    elif tag == "val/loss":
        v = 0.3 + 2.0 * np.exp(-3.0 * t) + 0.02 * noise
    else:
        v = 0.1 + 2.5 * np.exp(-5.0 * t) + 0.05 * noise
    return v.astype(np.float32)


def run_data(i: int, n: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Steps, wall times and float32 values per tag of benchmark run ``i``."""
    rng = np.random.default_rng(1000 + i)
    steps = np.arange(n, dtype=np.int64)
    walls = BASE_TIME + i * 3600.0 + steps * STEP_SECONDS
    return steps, walls, {tag: curve(tag, steps, n, rng) for tag in TAGS}


def spike_data(sizes: Sizes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = sizes.spike_points
    steps = np.arange(n, dtype=np.int64)
    walls = BASE_TIME - 86_400.0 + steps * STEP_SECONDS
    values = curve(TAG, steps, n, np.random.default_rng(7))
    values[sizes.spike_step] = SPIKE_VALUE
    return steps, walls, values


def _done(folder: Path) -> bool:
    return (folder / "DONE").is_file()


def _mark_done(folder: Path, info: dict[str, Any]) -> None:
    (folder / "DONE").write_text(json.dumps(info, indent=1))


def make_store(folder: Path, sizes: Sizes) -> None:
    """The torchloupe store: the runs (newest: the big run; oldest: the spike run)."""
    if _done(folder):
        log(f"store: cached in {folder}")
        return
    shutil.rmtree(folder, ignore_errors=True)
    t = time.perf_counter()
    store = SqliteStore(folder)

    def new_run(rid: str, name: str, started: float, ended: float) -> None:
        store.create_run(RunRecord(rid, "bench", name, RunStatus.FINISHED, started, ended, ended,
                                   config={"lr": 1e-3, "seed": name}, host="bench", pid=0))

    for i, rid in enumerate(run_ids(sizes.runs)):
        steps, walls, values = run_data(i, sizes.points)
        new_run(rid, f"run-{i:03d}", float(walls[0]), float(walls[-1]))
        store.append(rid, {tag: (steps, walls, values[tag].astype(np.float64)) for tag in TAGS})
        if (i + 1) % 10 == 0 or i + 1 == sizes.runs:
            log(f"store: {i + 1}/{sizes.runs} runs written")
    # The big run: newest, one tag; written in slices of whole sealed chunks.
    n = sizes.big_points
    started = BASE_TIME + sizes.runs * 3600.0 + 3600.0
    new_run(BIG_ID, "big-run", started, started + n * STEP_SECONDS)
    rng = np.random.default_rng(99)
    slice_ = 16 * SEAL
    for lo in range(0, n, slice_):
        steps = np.arange(lo, min(lo + slice_, n), dtype=np.int64)
        values = curve(TAG, steps, n, rng).astype(np.float64)
        store.append(BIG_ID, {TAG: (steps, started + steps * STEP_SECONDS, values)})
    log(f"store: big run of {n:,} points written")
    steps, walls, values = spike_data(sizes)
    new_run(SPIKE_ID, "spike-run", float(walls[0]), float(walls[-1]))
    store.append(SPIKE_ID, {TAG: (steps, walls, values.astype(np.float64))})
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    log(f"store: spike run written; {size / 1e9:.2f} GB in {time.perf_counter() - t:.1f} s")
    _mark_done(folder, {"sizes": sizes.__dict__})


def make_tensorboard(folder: Path, spike_folder: Path, sizes: Sizes) -> None:
    """The same runs as event files (one file per run, 3 scalars logged at every step)."""
    if _done(folder):
        log(f"event files: cached in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
        t = time.perf_counter()
        for i in range(sizes.runs):
            steps, walls, values = run_data(i, sizes.points)
            tfevents.write_run(folder / f"run-{i:03d}", TAGS, steps, walls,
                               [values[tag] for tag in TAGS])
            if (i + 1) % 10 == 0 or i + 1 == sizes.runs:
                log(f"event files: {i + 1}/{sizes.runs} runs written")
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        log(f"event files: {size / 1e9:.2f} GB in {time.perf_counter() - t:.1f} s")
        _mark_done(folder, {"sizes": sizes.__dict__})
    if _done(spike_folder):
        log(f"event files (spike run): cached in {spike_folder}")
    else:
        shutil.rmtree(spike_folder, ignore_errors=True)
        steps, walls, values = spike_data(sizes)
        tfevents.write_run(spike_folder / "spike-run", [TAG], steps, walls, [values])
        _mark_done(spike_folder, {"sizes": sizes.__dict__})
        log("event files (spike run): written")


def check_event_writer(tmp: Path) -> None:
    """Read a small file written by :mod:`tfevents` back with TensorBoard's own reader."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    for data in (b"", b"\x00" * 8, bytes(range(256)) * 3):
        assert tfevents.masked_crc32c(data) == masked_crc32c(data), "crc32c differs"
    shutil.rmtree(tmp, ignore_errors=True)
    n = 20_000  # steps with 0- to 3-byte varints
    steps, walls, values = run_data(0, n)
    tfevents.write_run(tmp / "check", TAGS, steps, walls, [values[t] for t in TAGS], chunk=3000)
    acc = EventAccumulator(str(tmp / "check"), size_guidance={"scalars": 0})
    acc.Reload()
    assert acc.file_version == 2.0, acc.file_version
    assert sorted(acc.Tags()["scalars"]) == sorted(TAGS), acc.Tags()
    for tag in TAGS:
        events = acc.Scalars(tag)
        assert [e.step for e in events] == steps.tolist(), tag
        assert np.array_equal(np.array([e.value for e in events], np.float32), values[tag]), tag
        assert np.allclose([e.wall_time for e in events], walls, rtol=0, atol=1e-6), tag
    shutil.rmtree(tmp, ignore_errors=True)
    log(f"event writer: {3 * n:,} scalars read back identical by TensorBoard's EventAccumulator")


# -- processes ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    started: float
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            raise RuntimeError(f"{self.name} exited with status {self.popen.returncode}:\n"
                               + self.tail())

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextmanager
def process(name: str, cmd: list[str], port: int, log_path: Path) -> Iterator[Proc]:
    """Start ``cmd`` in its own process group; on exit kill the whole group."""
    with open(log_path, "wb") as out:
        started = time.perf_counter()
        popen = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
    proc = Proc(name, popen, log_path, started, port)
    try:
        yield proc
    finally:
        _kill_group(popen)


def _kill_group(popen: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(popen.pid, sig)
        except ProcessLookupError:
            break
        try:
            popen.wait(wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; children (TensorBoard's data server) may be left in the group.
        try:
            os.killpg(popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        break


def http_client(timeout: float = 120.0) -> httpx.Client:
    return httpx.Client(timeout=timeout, trust_env=False)


def poll(proc: Proc, attempt: Callable[[], Any], deadline_s: float, interval: float) -> Any:
    """Call ``attempt`` until it returns non-None (connection errors count as not yet)."""
    deadline = time.perf_counter() + deadline_s
    while True:
        proc.check_alive()
        try:
            got = attempt()
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError):
            got = None
        if got is not None:
            return got
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{proc.name}: not ready after {deadline_s:.0f} s\n{proc.tail()}")
        time.sleep(interval)


# -- torchloupe --------------------------------------------------------------------------------

def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds used so far by the live processes of a process group."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()  # from field 3 (state) on
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def loupe_command(store_dir: Path, port: int) -> list[str]:
    return [str(BIN / "torchloupe"), "ui", str(store_dir), "--port", str(port)]


@dataclass
class LoupeStart:
    cpu: float = 0.0
    total: float = 0.0
    first_answer_sent: float = 0.0
    last_request: float = 0.0
    body_bytes: int = 0


def loupe_startup(proc: Proc, client: httpx.Client, sizes: Sizes, width: int) -> LoupeStart:
    """Poll the series of all runs of TAG until every one is served with n == points."""
    ids = run_ids(sizes.runs)
    params = {"tag": TAG, "width": str(width), "runs": ",".join(ids)}
    res = LoupeStart()

    def attempt() -> LoupeStart | None:
        sent = time.perf_counter()
        r = client.get(f"{proc.url}/api/v1/scalars/series", params=params)
        done = time.perf_counter()
        if not res.first_answer_sent:
            res.first_answer_sent = sent - proc.started
        if r.status_code != 200:
            raise RuntimeError(f"series: HTTP {r.status_code}: {r.text[:500]}")
        series = r.json()["series"]
        by_run = {s["run"]: s for s in series}
        if set(by_run) == set(ids) and all(s.get("n") == sizes.points for s in series):
            res.total = done - proc.started
            res.cpu = group_cpu_seconds(proc.popen.pid)
            res.last_request = done - sent
            res.body_bytes = len(r.content)
            return res
        return None

    return poll(proc, attempt, 300, 0.01)  # type: ignore[no-any-return]


def timed_get(client: httpx.Client, url: str, params: dict[str, str]) -> tuple[float, Any]:
    t = time.perf_counter()
    r = client.get(url, params=params)
    body = r.json()
    dt = time.perf_counter() - t
    if r.status_code != 200:
        raise RuntimeError(f"GET {url}: HTTP {r.status_code}: {r.text[:500]}")
    return dt, body


def spike_in(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """(x, y) of the largest y."""
    i = int(np.argmax(np.asarray(ys, float)))
    return xs[i], ys[i]


def inprocess_queries(store_dir: Path, sizes: Sizes, width: int, repeats: int) -> dict[str, Any]:
    """Server-side cost: ``query.series`` on the big run and on all runs, and JSON encoding."""
    from torchloupe.panels.scalars import query

    store = SqliteStore(store_dir, create=False)
    out: dict[str, Any] = {}

    def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
        t = time.perf_counter()
        v = fn()
        return time.perf_counter() - t, v

    first, body = timed(lambda: query.series(store, TAG, [BIG_ID], "step", None, None, width))
    times = [timed(lambda: query.series(store, TAG, [BIG_ID], "step", None, None, width))[0]
             for _ in range(repeats)]
    s = body["series"][0]
    out["big_first"], out["big_median"], out["big_times"] = first, statistics.median(times), times
    out["big_n"], out["big_out_points"] = s["n"], len(s["x"])
    blocks_t = []
    for _ in range(repeats):
        t = time.perf_counter()
        store.read_blocks(BIG_ID, TAG, "step", width)
        blocks_t.append(time.perf_counter() - t)
    out["big_read_blocks"] = statistics.median(blocks_t)
    out["big_json"] = timed(lambda: orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY))[0]

    ids = run_ids(sizes.runs)
    all_t, body = timed(lambda: query.series(store, TAG, ids, "step", None, None, width))
    all_t = min(all_t, timed(lambda: query.series(store, TAG, ids, "step", None, None, width))[0])
    out["all_query"] = all_t
    out["all_json"] = timed(lambda: orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY))[0]
    one_t = [timed(lambda: query.series(store, TAG, ids[:1], "step", None, None, width))[0]
             for _ in range(repeats)]
    out["one_query"] = statistics.median(one_t)
    store.close()
    return out


def import_times() -> dict[str, float]:
    """Wall time of a bare interpreter, and of the imports ``torchloupe ui`` performs."""
    py = str(BIN / "python")
    out = {}
    for name, code in (("python -c pass", "pass"),
                       ("import torchloupe.cli", "import torchloupe.cli"),
                       ("import torchloupe.serve.server", "import torchloupe.serve.server")):
        best = float("inf")
        for _ in range(2):
            t = time.perf_counter()
            subprocess.run([py, "-c", code], check=True)
            best = min(best, time.perf_counter() - t)
        out[name] = best
    return out


def top_imports(n: int = 12) -> list[tuple[float, str]]:
    """The slowest imports (cumulative) of ``torchloupe.serve.server``, by ``-X importtime``."""
    r = subprocess.run([str(BIN / "python"), "-X", "importtime", "-c",
                        "import torchloupe.serve.server"], capture_output=True, text=True,
                       check=True)
    rows = []
    for line in r.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]) / 1e6, parts[2].rstrip()))
    top = sorted(rows, reverse=True)[:n]
    return top


def describe(path: str) -> str:
    """A resource of the page, with a series request summarized (tag, number of runs, width)."""
    from urllib.parse import parse_qs, urlsplit

    u = urlsplit(path)
    if not u.path.endswith("/scalars/series"):
        return path[:100]
    q = parse_qs(u.query)
    runs = [r for r in q.get("runs", [""])[0].split(",") if r]
    extra = " incl. the big run" if BIG_ID in runs else ""
    return (f"{u.path}  tag={q.get('tag', ['?'])[0]} runs={len(runs)}{extra} "
            f"width={q.get('width', ['?'])[0]} x={q.get('x', ['step'])[0]}")


# -- browser -----------------------------------------------------------------------------------

def browser_first_chart(url: str, repeats: int) -> dict[str, Any]:
    """``window.__loupe.firstChartDrawnAt`` (ms after navigation start), fresh context each time."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(repeats):
                ctx = browser.new_context(viewport={"width": 1280, "height": 800})
                page = ctx.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e, errs=errors: errs.append(str(e)))
                page.on("console", lambda m, errs=errors: errs.append(m.text)
                        if m.type == "error" else None)
                page.goto(url, wait_until="commit")
                try:
                    page.wait_for_function(
                        "() => window.__loupe && window.__loupe.firstChartDrawnAt != null",
                        timeout=60_000, polling=10)
                except Exception as exc:
                    raise RuntimeError(f"no chart drawn within 60 s: {exc}; page errors: "
                                       f"{errors[:5]}") from exc
                info = page.evaluate("""() => {
                  const nav = performance.getEntriesByType('navigation')[0];
                  const res = performance.getEntriesByType('resource').map(r => ({
                    name: r.name.replace(location.origin, ''), start: r.startTime,
                    end: r.responseEnd, size: r.transferSize}));
                  return {drawn: window.__loupe.firstChartDrawnAt,
                          dcl: nav ? nav.domContentLoadedEventEnd : null,
                          load: nav ? nav.loadEventEnd : null,
                          charts: document.querySelectorAll('[data-testid=chart-card]').length,
                          resources: res};
                }""")
                info["errors"] = errors
                results.append(info)
                ctx.close()
        finally:
            browser.close()
    drawn = [r["drawn"] for r in results]
    return {"runs": results, "first": drawn[0], "median": statistics.median(drawn),
            "max": max(drawn)}


# -- TensorBoard -------------------------------------------------------------------------------

@dataclass
class TbStart:
    cpu: float = 0.0
    http_up: float = 0.0
    tags_all: float = 0.0
    total: float = 0.0
    polls: int = 0
    per_run_points: list[int] = field(default_factory=list)
    per_run_pass: float = 0.0
    loader: str = ""


def tb_wait(proc: Proc, client: httpx.Client, runs: list[str], last_step: int,
            deadline_s: float, res: TbStart) -> dict[str, list[list[float]]]:
    """Poll the scalars plugin until every run serves TAG up to ``last_step``.

    Routes (tensorboard/plugins/scalar/scalars_plugin.py): ``GET /data/plugin/scalars/tags``
    -> {run: {tag: ...}}; ``POST /data/plugin/scalars/scalars_multirun`` (form: tag, runs...)
    -> {run: [[wall_time, step, value], ...]}, as TensorBoard's own page asks.
    """
    base = f"{proc.url}/data/plugin/scalars"

    def up() -> bool | None:
        r = client.get(f"{proc.url}/data/runs")
        return True if r.status_code == 200 else None

    poll(proc, up, deadline_s, 0.02)
    res.http_up = time.perf_counter() - proc.started

    def tags() -> bool | None:
        r = client.get(f"{base}/tags")
        r.raise_for_status()
        index = r.json()
        return True if all(TAG in index.get(run, {}) for run in runs) else None

    poll(proc, tags, deadline_s, 0.2)
    res.tags_all = time.perf_counter() - proc.started
    got: dict[str, list[list[float]]] = {}

    def data() -> bool | None:
        res.polls += 1
        missing = [run for run in runs if run not in got]
        r = client.post(f"{base}/scalars_multirun", data={"tag": TAG, "runs": missing})
        r.raise_for_status()
        for run, points in r.json().items():
            if points and int(points[-1][1]) == last_step:
                got[run] = points
        return True if len(got) == len(runs) else None

    poll(proc, data, deadline_s, 0.2)
    res.total = time.perf_counter() - proc.started
    res.cpu = group_cpu_seconds(proc.popen.pid)
    return got


def tb_command(logdir: Path, port: int) -> list[str]:
    return [str(BIN / "tensorboard"), "--logdir", str(logdir), "--host", "127.0.0.1",
            "--port", str(port)]


def tb_loader(proc: Proc) -> str:
    text = proc.log_path.read_text(errors="replace")
    if "fast data loading" in text:
        return "Rust data server (--load_fast=auto)"
    return "unknown (see " + str(proc.log_path) + ")"


def tensorboard_startup(logdir: Path, sizes: Sizes, logs: Path, deadline_s: float) -> TbStart:
    res = TbStart()
    runs = [f"run-{i:03d}" for i in range(sizes.runs)]
    port = free_port()
    with process("tensorboard", tb_command(logdir, port), port, logs / "tensorboard.log") as proc, \
            http_client() as client:
        tb_wait(proc, client, runs, sizes.points - 1, deadline_s, res)
        res.loader = tb_loader(proc)
        t = time.perf_counter()
        for run in runs:  # the single-run route, to count what one chart gets
            r = client.get(f"{proc.url}/data/plugin/scalars/scalars",
                           params={"run": run, "tag": TAG})
            r.raise_for_status()
            points = r.json()
            if int(points[-1][1]) != sizes.points - 1:
                raise RuntimeError(f"tensorboard: {run} lost its last step")
            res.per_run_points.append(len(points))
        res.per_run_pass = time.perf_counter() - t
    return res


def tensorboard_spike(logdir: Path, sizes: Sizes, logs: Path, deadline_s: float) -> dict[str, Any]:
    port = free_port()
    res = TbStart()
    with process("tensorboard", tb_command(logdir, port), port,
                 logs / "tensorboard-spike.log") as proc, http_client() as client:
        tb_wait(proc, client, ["spike-run"], sizes.spike_points - 1, deadline_s, res)
        r = client.get(f"{proc.url}/data/plugin/scalars/scalars",
                       params={"run": "spike-run", "tag": TAG})
        r.raise_for_status()
        points = r.json()
    steps = [int(p[1]) for p in points]
    values = [float(p[2]) for p in points]
    i = int(np.argmax(values))
    return {"points": len(points), "max_step": steps[i], "max_value": values[i],
            "has_spike": sizes.spike_step in steps and values[steps.index(sizes.spike_step)]
            == SPIKE_VALUE, "load_s": res.total}


# -- main --------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=100)
    p.add_argument("--points", type=int, default=100_000, help="points per tag per run")
    p.add_argument("--big-points", type=int, default=10_000_000)
    p.add_argument("--spike-points", type=int, default=1_000_000)
    p.add_argument("--width", type=int, default=1000, help="chart width in pixels (M4 buckets)")
    p.add_argument("--repeats", type=int, default=3,
                   help="cold starts of torchloupe ui, and page loads (default: %(default)s)")
    p.add_argument("--data-dir", type=Path, default=Path("/tmp/torchloupe-bench"),
                   help="where generated data is cached (default: %(default)s)")
    p.add_argument("--tb-repeats", type=int, default=2,
                   help="cold starts of tensorboard (default: %(default)s)")
    p.add_argument("--tb-timeout", type=float, default=900.0,
                   help="seconds to wait for TensorBoard (default: %(default)s)")
    p.add_argument("--no-tensorboard", action="store_true", help="skip the TensorBoard side")
    p.add_argument("--no-browser", action="store_true", help="skip the Chromium measurement")
    args = p.parse_args(argv)
    sizes = Sizes(args.runs, args.points, args.big_points, args.spike_points)
    if min(sizes.runs, sizes.points, sizes.big_points) < 1 or sizes.spike_points < 2:
        p.error("sizes must be positive")

    start_all = time.perf_counter()
    root = args.data_dir / sizes.key
    root.mkdir(parents=True, exist_ok=True)
    logs = root / "logs"
    logs.mkdir(exist_ok=True)
    store_dir, tb_dir, tb_spike_dir = root / "loupe", root / "tb", root / "tb-spike"
    log(f"data: {root}  ({sizes.runs} runs x {sizes.points:,} points x {len(TAGS)} tags, "
        f"big run {sizes.big_points:,}, spike run {sizes.spike_points:,}); "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    make_store(store_dir, sizes)
    if not args.no_tensorboard:
        check_event_writer(root / "check")
        make_tensorboard(tb_dir, tb_spike_dir, sizes)

    # Cold starts of `torchloupe ui` and of `tensorboard`, interleaved so that both see the same
    # load on a shared machine. The first torchloupe server also answers measurements 2, 4, 5.
    width = args.width
    ids = run_ids(sizes.runs)
    starts: list[LoupeStart] = []
    first_data: list[float] = []
    one_chart: list[float] = []
    big_http: list[float] = []
    spike_ours: tuple[float, float] = (0.0, 0.0)
    spike_n = 0
    tb: TbStart | None = None
    tb_all: list[TbStart] = []
    tb_spike: dict[str, Any] | None = None
    tb_error = ""
    tb_repeats = 0 if args.no_tensorboard else args.tb_repeats
    for k in range(max(args.repeats, tb_repeats)):
        if k < args.repeats:
            port = free_port()
            with process("torchloupe ui", loupe_command(store_dir, port), port,
                         logs / "torchloupe-ui.log") as proc, http_client() as client:
                st = loupe_startup(proc, client, sizes, width)
                starts.append(st)
                log(f"torchloupe ui start {k + 1}/{args.repeats}: all {sizes.runs} runs of "
                    f"{TAG!r} served after {ms(st.total)}, {st.cpu:.1f} CPU s (first answer to a "
                    f"request sent at {ms(st.first_answer_sent)}; that request took "
                    f"{ms(st.last_request)}, {st.body_bytes / 1e6:.1f} MB)")
                url = f"{proc.url}/api/v1/scalars/series"
                one = {"tag": TAG, "width": str(width), "runs": ids[0]}
                dt, body = timed_get(client, url, one)
                assert body["series"][0]["n"] == sizes.points, body["series"][0].get("n")
                first_data.append(dt)
                if k == 0:
                    one_chart = [timed_get(client, url, one)[0] for _ in range(9)]
                    big = {"tag": TAG, "width": str(width), "runs": BIG_ID}
                    for _ in range(5):
                        dt, body = timed_get(client, url, big)
                        big_http.append(dt)
                    assert body["series"][0]["n"] == sizes.big_points, body["series"][0].get("n")
                    dt, body = timed_get(client, url,
                                         {"tag": TAG, "width": str(width), "runs": SPIKE_ID})
                    s = body["series"][0]
                    spike_ours, spike_n = spike_in(s["x"], s["y"]), s["n"]
                    log(f"one chart, one run: first {ms(first_data[0])}, then median "
                        f"{ms(statistics.median(one_chart))}; 10M-point series over HTTP: median "
                        f"{ms(statistics.median(big_http))}; spike run: max y {spike_ours[1]} at "
                        f"x={spike_ours[0]}")
        if k < tb_repeats and not tb_error:
            log(f"tensorboard start {k + 1}/{tb_repeats} on {tb_dir} ...")
            try:
                one_tb = tensorboard_startup(tb_dir, sizes, logs, args.tb_timeout)
            except TimeoutError as exc:
                tb_error = str(exc).splitlines()[0]
                log(f"tensorboard: {tb_error}")
                continue
            tb_all.append(one_tb)
            log(f"tensorboard: HTTP up after {ms(one_tb.http_up)}, tag listed for all runs after "
                f"{ms(one_tb.tags_all)}, every run up to step {sizes.points - 1} after "
                f"{ms(one_tb.total)}, {one_tb.cpu:.1f} CPU s ({one_tb.polls} polls)")
    if tb_all and not tb_error:
        tb = sorted(tb_all, key=lambda r: r.total)[(len(tb_all) - 1) // 2]  # the median
    if not args.no_tensorboard:
        log("tensorboard: spike run ...")
        tb_spike = tensorboard_spike(tb_spike_dir, sizes, logs, args.tb_timeout)

    browser: dict[str, Any] | None = None
    browser_skip = ""
    if args.no_browser:
        browser_skip = "--no-browser"
    elif not STATIC_INDEX.is_file():
        browser_skip = f"the page is not built ({STATIC_INDEX} is missing)"
    elif not Path(CHROMIUM).exists():
        browser_skip = f"{CHROMIUM} is missing"
    if browser_skip:
        log(f"browser: SKIPPED: {browser_skip}")
    else:
        port = free_port()
        with process("torchloupe ui", loupe_command(store_dir, port), port,
                     logs / "torchloupe-ui-browser.log") as proc, http_client() as client:
            poll(proc, lambda: client.get(f"{proc.url}/api/v1/panels").status_code == 200 or None,
                 300, 0.02)
            browser = browser_first_chart(proc.url + "/", args.repeats)
        log(f"browser: first chart drawn at "
            f"{', '.join(format(r['drawn'], '.0f') for r in browser['runs'])} ms after navigation")

    log("in-process queries (server-side cost) ...")
    inproc = inprocess_queries(store_dir, sizes, width, repeats=7)
    imports = import_times()
    slow_imports = top_imports()

    report(sizes, width, starts, first_data, one_chart, big_http, inproc, imports, slow_imports,
           browser, browser_skip, spike_ours, spike_n, tb, tb_all, tb_error, tb_spike, args)
    log(f"benchmark done in {time.perf_counter() - start_all:.1f} s")
    return 0


def report(sizes: Sizes, width: int, starts: list[LoupeStart], first_data: list[float],
           one_chart: list[float], big_http: list[float], inproc: dict[str, Any],
           imports: dict[str, float], slow_imports: list[tuple[float, str]],
           browser: dict[str, Any] | None, browser_skip: str, spike_ours: tuple[float, float],
           spike_n: int, tb: TbStart | None, tb_all: list[TbStart], tb_error: str,
           tb_spike: dict[str, Any] | None, args: argparse.Namespace) -> None:
    med = statistics.median
    ours_all = med([s.total for s in starts])
    rows: list[tuple[str, str, str, str]] = []
    rows.append((f"1. ui start -> {TAG!r} of all {sizes.runs} runs, full fidelity",
                 f"{ms(ours_all)} (median of {len(starts)}; "
                 f"{', '.join(ms(s.total) for s in starts)})",
                 (f"{ms(tb.total)} (median of {len(tb_all)}; "
                  f"{', '.join(ms(t.total) for t in tb_all)})" if tb else
                  (f"> {args.tb_timeout:.0f} s" if tb_error else "-")),
                 (f"{tb.total / ours_all:.1f}x" if tb else
                  (f"> {args.tb_timeout / ours_all:.1f}x" if tb_error else "-"))))
    rows.append(("   CPU seconds used by the server until then (median)",
                 f"{med([s.cpu for s in starts]):.1f} s",
                 f"{med([t.cpu for t in tb_all]):.1f} s" if tb_all else "-",
                 f"{med([t.cpu for t in tb_all]) / med([s.cpu for s in starts]):.1f}x"
                 if tb_all else ""))
    if tb:
        rows.append(("   TensorBoard: HTTP up / tag listed for all runs", "-",
                     f"{ms(tb.http_up)} / {ms(tb.tags_all)}", ""))
        rows.append(("   points served per run (TensorBoard samples)", f"n={sizes.points:,} "
                     f"(M4, <= {4 * width} drawn)",
                     f"{min(tb.per_run_points):,}-{max(tb.per_run_points):,}", ""))
    rows.append(("2. first data, one chart, one run (server up)",
                 f"{ms(first_data[0])} first; {ms(med(one_chart))} median", "-", ""))
    rows.append((f"3. first chart drawn in Chromium (of {args.repeats} loads)",
                 (f"{browser['first']:.0f} ms first; {browser['median']:.0f} ms median; "
                  f"{browser['max']:.0f} ms max" if browser else f"SKIPPED: {browser_skip}"),
                 "-", ""))
    rows.append((f"4. {sizes.big_points:,}-point series -> {width} px: query.series",
                 f"{ms(inproc['big_median'])} median of 7 (first {ms(inproc['big_first'])})",
                 "-", ""))
    rows.append(("   same over HTTP (round trip)", f"{ms(med(big_http))} median of 5", "-", ""))
    spike_ok = int(spike_ours[0]) == sizes.spike_step and spike_ours[1] == SPIKE_VALUE
    rows.append((f"5. spike y={SPIKE_VALUE:g} at step {sizes.spike_step:,} of "
                 f"{sizes.spike_points:,}",
                 f"{'present' if spike_ok else 'MISSING'}: max y {spike_ours[1]:g} at x="
                 f"{int(spike_ours[0]):,} (n={spike_n:,})",
                 (f"{'present' if tb_spike['has_spike'] else 'MISSING'}: max y "
                  f"{tb_spike['max_value']:.4g} at step {tb_spike['max_step']:,} "
                  f"({tb_spike['points']:,} points served)" if tb_spike else "-"), ""))

    w = [max(len(r[i]) for r in rows) for i in range(4)]
    heads = ("measurement", "torchloupe", "TensorBoard 2.21", "TB / ours")
    w = [max(w[i], len(heads[i])) for i in range(4)]
    line = "+".join("-" * (x + 2) for x in w)
    print()
    print(f"Dashboard benchmark: {sizes.runs} runs x {sizes.points:,} points x {len(TAGS)} tags + "
          f"{sizes.big_points:,}-point run + {sizes.spike_points:,}-point spike run; "
          f"chart width {width} px")
    print(line)
    print(" | ".join(h.ljust(w[i]) for i, h in enumerate(heads)))
    print(line)
    for r in rows:
        print(" | ".join(c.ljust(w[i]) for i, c in enumerate(r)))
    print(line)

    print("\nWhere torchloupe's time goes:")
    s0 = starts[0]
    print(f"  first request that got an answer was sent {ms(med([s.first_answer_sent for s in starts]))}"
          f" after process start (median; polled every 10 ms)")
    print(f"  that request ({sizes.runs} runs): {ms(med([s.last_request for s in starts]))} "
          f"round trip, {s0.body_bytes / 1e6:.1f} MB of JSON")
    print(f"  in process: query.series of {sizes.runs} runs {ms(inproc['all_query'])}, "
          f"JSON encoding {ms(inproc['all_json'])}; one run {ms(inproc['one_query'])}")
    print(f"  in process, {sizes.big_points:,}-point run: read_blocks {ms(inproc['big_read_blocks'])}"
          f", query.series {ms(inproc['big_median'])} "
          f"({inproc['big_out_points']:,} points out), JSON encoding {ms(inproc['big_json'])}")
    print("  interpreter and imports (best of 2): " + ", ".join(
        f"{k}: {ms(v)}" for k, v in imports.items()))
    print("  slowest imports under torchloupe.serve.server (cumulative, -X importtime):")
    for sec, name in slow_imports[:10]:
        print(f"    {sec * 1000:8.0f} ms  {name.strip()}")
    if browser:
        b = browser["runs"][0]
        print("  browser, first load: DOMContentLoaded "
              f"{b['dcl']:.0f} ms, load {b['load']:.0f} ms, {b['charts']} chart cards")
        for r in b["resources"][:16]:
            print(f"    {r['start']:7.0f} -> {r['end']:7.0f} ms  {describe(r['name'])}")
        errs = [e for r in browser["runs"] for e in r["errors"]]
        if errs:
            print(f"  page errors: {errs[:5]}")
    if tb:
        print(f"  TensorBoard loader: {tb.loader}; {tb.polls} polls of scalars_multirun; one pass "
              f"of GET /scalars over {sizes.runs} runs: {ms(tb.per_run_pass)}")
    if tb_spike:
        print(f"  TensorBoard spike run loaded in {ms(tb_spike['load_s'])}")

    print("\nTargets:")
    targets = []
    if tb:
        ratio = tb.total / ours_all
        targets.append((f"all runs of one tag served >= {TARGET_RATIO:g}x sooner than TensorBoard",
                        ratio >= TARGET_RATIO, f"{ratio:.1f}x"))
    elif tb_error:
        ratio = args.tb_timeout / ours_all
        targets.append((f"all runs of one tag served >= {TARGET_RATIO:g}x sooner than TensorBoard",
                        ratio >= TARGET_RATIO, f"> {ratio:.1f}x (TensorBoard timed out)"))
    else:
        targets.append(("all runs of one tag served >= 5x sooner than TensorBoard", None,
                        "SKIPPED (--no-tensorboard)"))
    if browser:
        mid = browser["median"]
        targets.append((f"first chart drawn in Chromium <= {TARGET_FIRST_CHART_MS:.0f} ms",
                        mid <= TARGET_FIRST_CHART_MS,
                        f"{mid:.0f} ms (median of {args.repeats} loads, each in a fresh browser "
                        f"context; slowest {browser['max']:.0f} ms)"))
    else:
        targets.append((f"first chart drawn in Chromium <= {TARGET_FIRST_CHART_MS:.0f} ms", None,
                        f"SKIPPED: {browser_skip}"))
    targets.append((f"{sizes.big_points:,}-point downsample <= {TARGET_DOWNSAMPLE_MS:.0f} ms",
                    inproc["big_median"] * 1000 <= TARGET_DOWNSAMPLE_MS,
                    f"{inproc['big_median'] * 1000:.1f} ms server-side; "
                    f"{med(big_http) * 1000:.1f} ms HTTP"))
    targets.append(("spike present in torchloupe's response", spike_ok,
                    f"max y {spike_ours[1]:g} at x={int(spike_ours[0]):,}"))
    for name, ok, detail in targets:
        verdict = "SKIP" if ok is None else ("PASS" if ok else "FAIL")
        print(f"  {verdict}  {name}: {detail}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
