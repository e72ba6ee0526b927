"""`benchmarks/turns.py`: timed repeats never overlap and rotate fairly."""

import os
import sys
import textwrap

import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks")
sys.path.insert(0, BENCHMARKS)
import turns  # noqa: E402

# A worker like train_step.py's: warms up, then `repeats` timed runs when told,
# then its result. Each run records when it started and ended.
WORKER = textwrap.dedent(
    """
    import json, sys, time
    sys.path.insert(0, {benchmarks!r})
    import turns
    repeats, work = int(sys.argv[1]), float(sys.argv[2])
    time.sleep(work)  # warm-up, untimed, all workers at once
    spans = []
    for _ in range(repeats):
        turns.wait_for_turn()
        start = time.time()
        time.sleep(work)
        spans.append((start, time.time()))
        turns.report_time(spans[-1][1] - spans[-1][0])
    turns.wait_for_turn()
    print("a log line the coordinator skips")
    print(json.dumps({{"spans": spans}}))
    """
).format(benchmarks=BENCHMARKS)


def worker(name, repeats, work=0.05):
    return name, [sys.executable, "-c", WORKER, str(repeats), str(work)], {}


def test_repeats_take_turns_one_at_a_time_in_rotating_order():
    names = ["plain torch", "tensorflow", "jax"]
    repeats = 3
    results = turns.take_turns([worker(n, repeats) for n in names], repeats)
    assert sorted(results) == sorted(names)
    runs = sorted(
        (start, end, name)
        for name, result in results.items()
        for start, end in result["spans"]
    )
    assert len(runs) == len(names) * repeats
    # No run starts before the previous one has ended.
    for (_, end, _), (start, _, _) in zip(runs, runs[1:]):
        assert start >= end
    # Round r starts r workers later.
    order = [name for _, _, name in runs]
    assert order == [
        "plain torch", "tensorflow", "jax",
        "tensorflow", "jax", "plain torch",
        "jax", "plain torch", "tensorflow",
    ]  # fmt: skip
    for result in results.values():
        assert len(result["seconds"]) == repeats
        for seconds, (start, end) in zip(result["seconds"], result["spans"]):
            assert seconds == pytest.approx(end - start, rel=1e-9, abs=1e-9)
            assert 0.05 <= seconds < 1.0


def test_a_worker_that_dies_is_named_with_its_error():
    failing = (
        "broken",
        [sys.executable, "-c", "import sys; sys.exit('no backend here')"],
        {},
    )
    with pytest.raises(RuntimeError, match="(?s)'broken' exited \\(1\\).*no backend"):
        turns.take_turns([worker("fine", 1), failing], 1)
