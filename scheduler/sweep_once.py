"""`python -m scheduler.sweep_once`: one timer sweep at a given instant, then exit.

For operations (catch up after an outage) and for the multi-process tests: `--wait-for-go`
lets several processes start sweeping together, `--hold-at-batch N` freezes the process
inside batch N's transaction, before its commit, so that a test can kill it there.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from datetime import datetime

from engine.clock import VirtualClock
from engine.records import FiredTimer
from models.db import make_engine, make_session_factory
from scheduler.jobs import BatchHook, sweep_timers


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _hold_at(batch_number: int) -> BatchHook:
    def hook(number: int, done: list[FiredTimer]) -> None:
        if number == batch_number:
            _say(f"HOLD {number} {len(done)}")
            while True:  # until killed
                signal.pause()

    return hook


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, sweep once, print {"fired": n, "failed": m} as JSON."""
    parser = argparse.ArgumentParser(prog="python -m scheduler.sweep_once", description=__doc__)
    parser.add_argument("--url", required=True, help="database URL")
    parser.add_argument("--now", required=True, help="ISO instant with offset, e.g. 2024-12-31T00:00:00+07:00")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--wait-for-go", action="store_true", help="print READY, wait for a line on stdin")
    parser.add_argument("--hold-at-batch", type=int, default=None, help="freeze before committing batch N")
    args = parser.parse_args(argv)
    now = datetime.fromisoformat(args.now)
    if now.tzinfo is None:
        parser.error("--now needs a UTC offset")
    engine = make_engine(args.url)
    factory = make_session_factory(engine)
    if args.wait_for_go:
        with engine.connect():  # connect before saying READY, so the sweeps start together
            pass
        _say("READY")
        sys.stdin.readline()
    hook = _hold_at(args.hold_at_batch) if args.hold_at_batch is not None else None
    fired = sweep_timers(factory, VirtualClock(now), batch=args.batch, on_batch=hook)
    ok = sum(1 for f in fired if f.ok)
    _say(json.dumps({"fired": ok, "failed": len(fired) - ok}))
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
