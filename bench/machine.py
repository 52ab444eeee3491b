"""How busy the machine was with anything but the bench, from Linux's /proc.

The 1-minute load average after a run counts the bench's own client, gunicorn
and PostgreSQL: on 2 cores they hold it near 1 by themselves, so it cannot tell
a quiet machine from a loaded one. This counts the CPU time the whole machine
spent (/proc/stat) less the time of the bench's processes: this process and
every PostgreSQL server process, with their descendants. A process's
`cutime`/`cstime` hold the time of its children that ended and were waited
for (a connection's backend, a gunicorn worker), so those are counted too.
"""

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _busy_ticks(proc=PROC):
    """The ticks all CPUs spent on anything but idling and waiting for the disk."""
    fields = [int(x) for x in (proc / "stat").read_text().split("\n", 1)[0].split()[1:]]
    # user nice system idle iowait irq softirq steal (guest and guest_nice are inside user and nice)
    return sum(fields[:8]) - fields[3] - fields[4]


def _processes(proc=PROC):
    """{pid: (parent pid, command, ticks)}, ticks being its own time and that of its ended children."""
    found = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:  # it ended meanwhile
            continue
        command = text[text.index("(") + 1 : text.rindex(")")]
        rest = text[text.rindex(")") + 2 :].split()
        # after the command: state ppid ... utime(12) stime(13) cutime(14) cstime(15), counted from state = 0
        found[int(entry.name)] = (int(rest[1]), command, sum(int(x) for x in rest[11:15]))
    return found


def _bench_ticks(processes, roots):
    """The ticks of the processes descending from `roots` (the roots included)."""
    total = 0
    for pid, (_parent, _command, ticks) in processes.items():
        seen, ancestor = set(), pid
        while ancestor not in roots and ancestor in processes and ancestor not in seen:
            seen.add(ancestor)
            ancestor = processes[ancestor][0]
        if ancestor in roots:
            total += ticks
    return total


def _roots(processes, own_pid):
    """This process, and each PostgreSQL server: a `postgres` process whose parent is not one."""
    postmasters = {
        pid
        for pid, (parent, command, _ticks) in processes.items()
        if command == "postgres" and processes.get(parent, (0, ""))[1] != "postgres"
    }
    return {own_pid} | postmasters


class OtherCpu:
    """Started before a run and read after it: how many cores, on average, worked for other processes.

    `cores()` is None where there is no /proc (not Linux).
    """

    def __init__(self, proc=PROC, own_pid=None):
        self.proc, self.own_pid = proc, own_pid or os.getpid()
        self.start = self._sample()

    def _sample(self):
        try:
            processes = _processes(self.proc)
            return (
                os.times().elapsed,
                _busy_ticks(self.proc),
                _bench_ticks(processes, _roots(processes, self.own_pid)),
            )
        except (OSError, ValueError, IndexError):
            return None

    def seconds(self):
        """{"elapsed", "busy", "bench"}: the seconds since the start, and the CPU seconds of the whole machine
        and of the bench's processes in them; None without /proc."""
        end = self._sample()
        if not self.start or not end or end[0] <= self.start[0]:
            return None
        return {
            "elapsed": end[0] - self.start[0],
            "busy": (end[1] - self.start[1]) / TICKS,
            "bench": (end[2] - self.start[2]) / TICKS,
        }

    def cores(self):
        spent = self.seconds()
        if not spent:
            return None
        return round(max(spent["busy"] - spent["bench"], 0) / spent["elapsed"], 2)
