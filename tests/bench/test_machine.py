"""bench.machine: the CPU other processes than the bench's used during a run, and the warning it sets off."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.machine import OtherCpu
from bench.run import machine_warning

pytestmark = pytest.mark.skipif(not Path("/proc/stat").exists(), reason="Linux's /proc only")

# 1.5 s of CPU, however long a loaded machine takes to give them; then the file named, if any.
BUSY = (
    "import pathlib, sys, time\nwhile time.process_time() < 1.5: pass\n"
    "sys.argv[1:] and pathlib.Path(sys.argv[1]).touch()"
)


def busy_elsewhere(done):
    """A busy process that is not the bench's: its shell exits at once, so it belongs to no process of ours."""
    subprocess.run(["sh", "-c", f'{sys.executable} -c "{BUSY}" {done} &'], check=True)
    deadline = time.monotonic() + 60
    while not done.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.2)  # it exits after writing the file


def test_it_counts_a_process_outside_the_bench_as_other(tmp_path):
    other = OtherCpu()
    busy_elsewhere(tmp_path / "done")
    spent = other.seconds()
    assert spent["busy"] - spent["bench"] > 1.2  # whatever else runs meanwhile only adds to it


def test_it_counts_the_bench_processes_children_as_its_own():
    other = OtherCpu()
    subprocess.run([sys.executable, "-c", BUSY], check=True)
    assert other.seconds()["bench"] > 1.2


def test_it_warns_when_other_processes_work_or_the_machine_was_busy_before_but_not_for_the_bench_own_load():
    assert machine_warning([0.1, 0.2, 0.3], 0.05, 9.0) is None
    assert "other processes 0.6 cores" in machine_warning([0.1, 0.2, 0.3], 0.6, 9.0)
    assert "load average 1.5" in machine_warning([1.5, 0.2, 0.3], 0.05, 9.0)
    assert machine_warning(None, None, 9.0) is None
    assert "cores during it" not in machine_warning([1.5, 0.2, 0.3], None, 9.0)  # no /proc: not said
