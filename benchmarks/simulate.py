"""Benchmark: `isoflow simulate --year 2024` for the seed's 143 agencies (goal: under 60 s).

    .venv/bin/python benchmarks/simulate.py [--agencies N] [--seed S] [--processes DIR] [--database-url URL]

Prints the elapsed time, instances/s and tasks/s (tasks = user tasks completed by simulated staff).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.settings import PROJECT_ROOT
from engine.simulation import SimulationConfig, run_simulation
from engine.simulation_report import format_summary
from engine.simulation_setup import prepare_database
from models.db import make_engine, make_session_factory


def bench(url: str, config: SimulationConfig) -> None:
    """Simulate once on `url` and print the figures."""
    began = time.perf_counter()
    prepare_database(url)
    engine = make_engine(url)
    summary = run_simulation(make_session_factory(engine), config)
    engine.dispose()
    elapsed = time.perf_counter() - began
    print(format_summary(summary, elapsed))
    print(
        f"simulate --year {config.year} ({summary.agencies} agencies, {engine.dialect.name}): {elapsed:.1f} s "
        f"(goal < 60 s); {summary.instances_started / elapsed:.1f} instances/s; "
        f"{summary.tasks_completed / elapsed:.1f} tasks/s ({summary.tasks_completed} tasks)"
    )


def main() -> None:
    """Run the benchmark on a temporary SQLite file (or the given database, which must be empty)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--agencies", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=Path, default=PROJECT_ROOT / "processes")
    parser.add_argument("--cycle-process", default="iso_annual_cycle")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    config = SimulationConfig(
        year=args.year,
        seed=args.seed,
        agencies=args.agencies,
        processes_dir=args.processes,
        cycle_process=args.cycle_process,
    )
    if args.database_url:
        bench(args.database_url, config)
        return
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{Path(folder) / 'simulate.sqlite3'}", config)


if __name__ == "__main__":
    main()
