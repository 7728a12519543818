"""Killing the process in the middle of a save leaves the previous snapshot loadable.

A child process replaces snapshot "Q3" (version 1) with version 2 and is SIGKILLed: at chosen
points of the save (by patching the step to kill itself), and after random delays while saving in
a loop. The parent then opens the folder and must load one complete version.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
FRAME_SRC = """
import pandas as pd
def frame(version):
    n = 20_000
    return pd.DataFrame({
        "account_id": [f"A{i}" for i in range(n)],
        "segment": ["right", "wrong", "bad", "wrong"] * (n // 4),
        "profit": [float(version * i) for i in range(n)],
    })
"""
CHILD_SRC = (
    FRAME_SRC
    + """
import os, signal, sys
from pathlib import Path
from analysis import workspace as w

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

root, point = Path(sys.argv[1]), sys.argv[2]
ws = w.Workspace(root)
if point == "loop":
    print("ready", flush=True)
    version = 2
    while True:
        ws.save_snapshot("Q3", frame(version), {"version": version}, replace=True)
        version = 3 - version
if point == "write":
    w.os.fsync = die
elif point == "rename":
    w.os.replace = die
elif point == "before_commit":
    w._fsync_dir = die
elif point == "in_transaction":
    w._now = die
elif point == "after_commit":
    calls = []
    real_file = w.Workspace._file
    def file_then_die(self, file_id):
        calls.append(file_id)
        if len(calls) == 2:  # the second call names the old file, about to be removed
            die()
        return real_file(self, file_id)
    w.Workspace._file = file_then_die
ws.save_snapshot("Q3", frame(2), {"version": 2}, replace=True)
"""
)
NS: dict = {}
exec(FRAME_SRC, NS)
frame = NS["frame"]


def child(root: Path, point: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD_SRC, str(root), point],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )


def assert_intact(root: Path, allowed: set[int]) -> None:
    ws = Workspace(root)
    loaded, meta = ws.load_snapshot("Q3")
    assert meta["version"] in allowed
    pd.testing.assert_frame_equal(loaded, frame(meta["version"]))
    ws.clean_orphans(older_than=0)
    assert [p.suffix for p in ws.tables_dir.iterdir()] == [".parquet"]
    ws.save_snapshot("after", frame(1).head(3), {})  # no lock left behind
    ws.delete_snapshot("after")


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ("write", {1}),
        ("rename", {1}),
        ("before_commit", {1}),
        ("in_transaction", {1}),
        ("after_commit", {2}),
        ("complete", {2}),
    ],
)
def test_kill_at_each_step_of_a_save(tmp_path: Path, point: str, expected: set[int]) -> None:
    Workspace(tmp_path).save_snapshot("Q3", frame(1), {"version": 1})
    proc = child(tmp_path, point)
    proc.communicate(timeout=60)
    assert proc.returncode == (0 if point == "complete" else -9)
    assert_intact(tmp_path, expected)


@pytest.mark.slow
def test_kill_after_random_delays(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    Workspace(tmp_path).save_snapshot("Q3", frame(1), {"version": 1})
    for _ in range(5):
        proc = child(tmp_path, "loop")
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.5))
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()
        assert_intact(tmp_path, {1, 2})
