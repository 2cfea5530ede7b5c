"""`isoflow calendar ...` and `isoflow simulate`: deadlines on the working-day calendar, a simulated year."""

from __future__ import annotations

import sys
import time
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from engine.business_calendar import BusinessCalendar, default_calendar
from engine.calendar_overrides import add_override, import_overrides_csv, list_overrides, load_calendar, remove_override
from engine.errors import IsoflowError
from engine.plan_windows import PLAN_CSV
from engine.settings import Settings
from engine.simulation import SimulationConfig, run_simulation
from engine.simulation_report import format_summary
from engine.simulation_setup import prepare_database
from models.db import make_engine, make_session_factory, unit_of_work


def _settings() -> Settings:
    obj = click.get_current_context().find_root().obj
    settings = getattr(obj, "settings", None)
    return settings if isinstance(settings, Settings) else Settings.from_env()


def _fail(message: str) -> NoReturn:
    click.echo(f"Lỗi / Error: {message}", err=True)
    sys.exit(1)


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"'{text}' không phải ngày ISO, ví dụ 2024-01-31 / '{text}' is not an ISO date, e.g. 2024-01-31")


def _database_exists(url: str) -> bool:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return True
    return Path(parsed.database).is_file()


def _calendar(use_db: bool) -> BusinessCalendar:
    """The calendar with the database's overrides; the statutory one (with a note) if they cannot be read."""
    url = _settings().database_url
    if not use_db:
        return default_calendar()
    if not _database_exists(url):
        click.echo(
            "Chú ý: chưa có cơ sở dữ liệu, chỉ dùng lịch nghỉ lễ theo luật / "
            "note: no database yet, using the statutory holidays only",
            err=True,
        )
        return default_calendar()
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return load_calendar(session)
    except SQLAlchemyError as exc:
        click.echo(
            f"Chú ý: không đọc được bảng ngày ngoại lệ, chỉ dùng lịch theo luật / "
            f"note: overrides not readable ({type(exc).__name__}), using the statutory holidays only",
            err=True,
        )
        return default_calendar()
    finally:
        engine.dispose()


@click.group("calendar")
def calendar_group() -> None:
    """Lịch làm việc / the working-day calendar (public holidays + administrators' overrides)."""


_NO_DB = click.option("--no-db", is_flag=True, help="Ignore the database's overrides (statutory holidays only).")


@calendar_group.command("add-months")
@click.argument("start")
@click.argument("months", type=int)
@_NO_DB
def add_months_command(start: str, months: int, no_db: bool) -> None:
    """End of a period of MONTHS months from the event day START (Civil Code Arts 145-148)."""
    try:
        click.echo(_calendar(not no_db).add_months(_parse_day(start), months).isoformat())
    except ValueError as exc:
        _fail(str(exc))


@calendar_group.command("add-working-days")
@click.argument("start")
@click.argument("days", type=int)
@_NO_DB
def add_working_days_command(start: str, days: int, no_db: bool) -> None:
    """The DAYS-th working day after START (START itself not counted)."""
    click.echo(_calendar(not no_db).add_working_days(_parse_day(start), days).isoformat())


@calendar_group.group("overrides")
def overrides_group() -> None:
    """Ngày nghỉ bù, ngày làm bù / the administrators' day swaps and extra days off."""


def _session_scope() -> AbstractContextManager[Session]:
    return unit_of_work(make_session_factory(make_engine(_settings().database_url)))


@overrides_group.command("list")
@click.option("--year", type=int, default=None)
def overrides_list(year: int | None) -> None:
    """List the overrides."""
    with _session_scope() as session:
        rows = list_overrides(session, year=year)
    for row in rows:
        kind = "làm việc / working" if row.working else "nghỉ / day off"
        click.echo(f"{row.day.isoformat()}  {row.day:%d/%m/%Y}  {kind:<20} {row.reason}")
    click.echo(f"{len(rows)} ngày / day(s)")


@overrides_group.command("add")
@click.argument("day")
@click.option("--working/--off", required=True, help="A make-up working day, or an extra day off.")
@click.option("--reason", required=True, help="The announcement, e.g. 'Thông báo 6150/TB-BLĐTBXH'.")
@click.option("--replace", is_flag=True, help="Replace an existing override of that day.")
def overrides_add(day: str, working: bool, reason: str, replace: bool) -> None:
    """Declare DAY a working day or a day off."""
    parsed = _parse_day(day)
    try:
        with _session_scope() as session:
            add_override(session, parsed, working, reason, replace=replace)
    except IsoflowError as exc:
        _fail(exc.message)
    click.echo(f"Đã lưu / saved: {parsed:%d/%m/%Y} {'làm việc / working' if working else 'nghỉ / day off'}")


@overrides_group.command("remove")
@click.argument("day")
def overrides_remove(day: str) -> None:
    """Delete the override of DAY."""
    parsed = _parse_day(day)
    try:
        with _session_scope() as session:
            remove_override(session, parsed)
    except IsoflowError as exc:
        _fail(exc.message)
    click.echo(f"Đã xóa / removed: {parsed:%d/%m/%Y}")


@overrides_group.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace overrides of days already present.")
def overrides_import(csv_file: Path, replace: bool) -> None:
    """Add the rows `date,working,reason` of a CSV file (all or nothing)."""
    try:
        with _session_scope() as session:
            added = import_overrides_csv(session, csv_file.read_text(encoding="utf-8"), replace=replace)
    except IsoflowError as exc:
        _fail(exc.message)
    click.echo(f"Đã nhập / imported: {len(added)}")


@click.command("simulate")
@click.option("--year", type=int, default=2024, show_default=True)
@click.option("--agencies", type=click.IntRange(min=1), default=None, help="Only the plan's first N agencies.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--database-url", default=None, help="Default: ISOFLOW_DATABASE_URL (must be empty or simulated).")
@click.option(
    "--processes",
    "processes_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Process folders to deploy (default: the configured processes/).",
)
@click.option("--cycle-process", default=None, help="Key of the yearly cycle process (default: configured).")
@click.option(
    "--plan",
    "plan_csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=PLAN_CSV,
    show_default=True,
    help="Appendix 2 of the province's plan (CSV): the windows of the Department's yearly plan.",
)
def simulate_command(
    year: int,
    agencies: int | None,
    seed: int,
    database_url: str | None,
    processes_dir: Path | None,
    cycle_process: str | None,
    plan_csv: Path,
) -> None:
    """Mô phỏng một năm / simulate a whole cycle year on a fresh database, then print a summary."""
    settings = _settings()
    url = database_url or settings.database_url
    began = time.perf_counter()
    try:
        state = prepare_database(url)
    except IsoflowError as exc:
        _fail(exc.message)
    except SQLAlchemyError as exc:
        _fail(f"không kết nối được cơ sở dữ liệu / cannot use the database: {type(exc).__name__}: {exc}")
    if state == "simulation":
        click.echo("Xóa dữ liệu mô phỏng cũ / a previous simulation's data was reset.", err=True)
    config = SimulationConfig(
        year=year,
        seed=seed,
        agencies=agencies,
        processes_dir=processes_dir or settings.processes_dir,
        cycle_process=cycle_process or settings.cycle_process,
        plan_csv=plan_csv,
    )
    engine = make_engine(url)
    try:
        summary = run_simulation(make_session_factory(engine), config)
    except IsoflowError as exc:
        _fail(exc.message)
    finally:
        engine.dispose()
    click.echo(format_summary(summary, time.perf_counter() - began))
    click.echo(f"Cơ sở dữ liệu để xem trên giao diện web / database left for the web UI: {url}")
