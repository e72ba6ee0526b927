"""Timed repeats of several worker processes, taken in turns.

On a shared 2-core machine the speed of the same step drifts by 20-50% over
minutes, so workers timed one after the other (plain PyTorch, then each Keras
backend) compare their windows as much as their code. Here every worker warms
up first, all at once, then waits; the coordinator lets one worker run one
timed repeat at a time, round after round, so every worker's repeats are
spread over the same minutes and each median sees the same drift.

Protocol, one line each on the worker's stdout and stdin: the worker prints
`waiting` and blocks until it reads `go`; after a timed repeat it prints
`took SECONDS`; after its last repeat it waits once more, then does untimed
work (memory runs) and prints its result as one JSON line.
"""

import json
import os
import subprocess
import sys
import tempfile


def wait_for_turn():
    """In a worker: block until the coordinator says `go`."""
    print("waiting", flush=True)
    line = sys.stdin.readline().strip()
    if line != "go":
        raise RuntimeError(f"Expected `go` from the coordinator. Received: {line!r}")


def report_time(seconds):
    """In a worker: one timed repeat took `seconds`."""
    print(f"took {seconds!r}", flush=True)


class Worker:
    """A worker process spoken to over its stdin and stdout."""

    def __init__(self, name, command, env):
        self.name = name
        self._stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env=env,
        )

    def _line(self, prefix):
        """The next stdout line that starts with `prefix` (others are logs)."""
        for line in self.process.stdout:
            if line.startswith(prefix):
                return line.strip()
        self.process.wait()
        self._stderr.seek(0)
        raise RuntimeError(
            f"Worker {self.name!r} exited ({self.process.returncode}) before "
            f"printing {prefix!r}:\n{self._stderr.read()[-3000:]}"
        )

    def wait_until_waiting(self):
        self._line("waiting")

    def go(self):
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def timed_repeat(self):
        """Runs one repeat; returns its seconds once the worker waits again."""
        self.go()
        seconds = float(self._line("took ").split()[1])
        self.wait_until_waiting()
        return seconds

    def result(self):
        """Lets the worker finish; returns its JSON result."""
        self.go()
        result = json.loads(self._line("{"))
        self.process.wait()
        return result

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._stderr.close()


def take_turns(workers, repeats):
    """Times `repeats` rounds of `workers` (name, command, extra env).

    Starts every worker, waits for all to warm up, then runs one timed
    repeat per worker per round, starting each round one worker later. Then
    lets the workers finish one at a time.

    Returns:
        `{name: result}`: each worker's JSON result with `seconds`, its timed
        repeats in the order they ran.
    """
    started = [
        Worker(name, command, dict(os.environ, **env)) for name, command, env in workers
    ]
    try:
        for worker in started:
            worker.wait_until_waiting()
        seconds = {worker.name: [] for worker in started}
        for round_ in range(repeats):
            shift = round_ % len(started)
            for worker in started[shift:] + started[:shift]:
                seconds[worker.name].append(worker.timed_repeat())
        results = {}
        for worker in started:
            results[worker.name] = dict(worker.result(), seconds=seconds[worker.name])
        return results
    finally:
        for worker in started:
            worker.kill()
