"""The `isoflow` command line: each command is one transaction around engine use cases."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from engine import definitions, instances, task_queries, tasks, timers
from engine.accounts import actor_by_username, has_demo_accounts
from engine.calendar_overrides import install_calendar
from engine.clock import Clock, SystemClock, VirtualClock
from engine.errors import IsoflowError
from engine.plan_windows import start_yearly_plan
from engine.seed import seed_agencies, seed_demo_accounts
from engine.settings import Settings
from models.db import make_engine, make_session_factory, unit_of_work
from models.migrate import upgrade


class Context:
    """What every command needs: settings, a session factory and the clock."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.clock: Clock = SystemClock()
        self._factory: Any = None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work on the configured database."""
        if self._factory is None:
            self._factory = make_session_factory(make_engine(self.settings.database_url))
            self._install_calendar()
        with unit_of_work(self._factory) as session:
            yield session


    def _install_calendar(self) -> None:
        # Deadlines computed by this command honour the administrator's calendar overrides.
        try:
            with unit_of_work(self._factory) as session:
                install_calendar(session)
        except (OperationalError, ProgrammingError):
            pass  # not migrated yet (e.g. `isoflow db upgrade` itself): the public-holiday calendar applies


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _emit_json(value: Any) -> None:
    click.echo(json.dumps(_plain(value), ensure_ascii=False, indent=2))


def _fail(message: str, details: dict[str, str] | None = None) -> None:
    click.echo(f"Lỗi / Error: {message}", err=True)
    for name, text in (details or {}).items():
        click.echo(f"  - {name}: {text}", err=True)
    sys.exit(1)


class IsoflowGroup(click.Group):
    """Turns engine errors into a clear message and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IsoflowError as exc:
            _fail(exc.message, exc.details)


pass_ctx = click.make_pass_decorator(Context)


@click.group(cls=IsoflowGroup)
@click.option("--now", "now_text", default=None, metavar="ISO-DATETIME",
              help="Act as if it were this instant (with its UTC offset), e.g. to load a past year's cycle "
                   "as it began: isoflow --now 2024-01-02T08:00:00+07:00 cycle start --year 2024.")
@click.pass_context
def main(ctx: click.Context, now_text: str | None) -> None:
    """isoflow: the ISO 9001 cycle of every agency of a province, as BPMN."""
    ctx.obj = Context(Settings.from_env())
    if now_text is not None:
        ctx.obj.clock = VirtualClock(_parse_instant(now_text))


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(obj: Context) -> None:
    """Migrate the database to the newest schema."""
    _ensure_sqlite_folder(obj.settings.database_url)
    upgrade(obj.settings.database_url)
    click.echo("Database is up to date.")


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@main.command()
@click.option("--no-demo", is_flag=True, help="Load agencies only, no demo accounts.")
@pass_ctx
def seed(obj: Context, no_demo: bool) -> None:
    """Load the seed plan's agencies and the demo accounts."""
    if obj.settings.is_production and not no_demo:
        _fail("demo accounts are not created when ISOFLOW_ENV=production; use --no-demo")
    with obj.session() as session:
        added = seed_agencies(session)
        accounts = 0 if no_demo else seed_demo_accounts(session, obj.clock)
    click.echo(f"Agencies added: {added}; demo accounts: {accounts}")


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--by", "deployed_by", default="cli", help="Who deploys (recorded).")
@pass_ctx
def deploy(obj: Context, path: Path | None, deployed_by: str) -> None:
    """Deploy process definitions (default: the processes/ folder)."""
    with obj.session() as session:
        results = definitions.deploy_folder(session, obj.clock, path or obj.settings.processes_dir, deployed_by)
    for result in results:
        state = "new version" if result.created else "unchanged"
        click.echo(f"{result.key} v{result.version}: {state}")


@main.group()
def cycle() -> None:
    """The yearly cycle."""


@cycle.command("start")
@click.option("--year", type=int, required=True)
@click.option("--agency", "agency_code", default=None, help="Only this agency code (e.g. VL-013).")
@pass_ctx
def cycle_start(obj: Context, year: int, agency_code: str | None) -> None:
    """Start the yearly cycle for every active agency (idempotent)."""
    with obj.session() as session:
        results = instances.start_cycle(
            session, obj.clock, year, process_key=obj.settings.cycle_process, agency_code=agency_code
        )
    created = sum(1 for r in results if r.created)
    click.echo(f"Instances created: {created}")


@main.group()
def plan() -> None:
    """The Department's yearly plan (dost_yearly_plan)."""


@plan.command("start")
@click.option("--year", type=int, required=True)
@click.option("--csv", "csv_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The plan's Appendix 2 as CSV (default: the seed plan's).")
@pass_ctx
def plan_start(obj: Context, year: int, csv_path: Path | None) -> None:
    """Start the yearly plan of the province, its phase windows read from the plan (idempotent)."""
    with obj.session() as session:
        if csv_path is None:
            result = start_yearly_plan(session, obj.clock, year)
        else:
            result = start_yearly_plan(session, obj.clock, year, csv_path=csv_path)
    state = "Started" if result.created else "Already running"
    click.echo(f"{state}: instance {result.instance_id} ({result.business_key})")


@main.group("instances")
def instances_group() -> None:
    """Process instances."""


@instances_group.command("list")
@click.option("--year", type=int, default=None)
@click.option("--status", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def instances_list(obj: Context, year: int | None, status: str | None, as_json: bool) -> None:
    """List instances."""
    with obj.session() as session:
        rows = instances.list_instances(session, year=year, status=status, limit=100_000)
    if as_json:
        _emit_json(rows)
        return
    for row in rows:
        click.echo(f"{row.id:>6}  {row.business_key:<24} {row.process_key} v{row.definition_version}  {row.status}")
    click.echo(f"{len(rows)} instance(s)")


@instances_group.command("start")
@click.argument("process")
@click.option("--agency", "agency_code", required=True)
@click.option("--year", type=int, required=True)
@click.option("--data", "data_json", default="{}", help="Start data as a JSON object.")
@pass_ctx
def instances_start(obj: Context, process: str, agency_code: str, year: int, data_json: str) -> None:
    """Start one instance of a process for an agency and year."""
    data = _json_object(data_json)
    with obj.session() as session:
        agency = instances.agency_by_code(session, agency_code)
        key = instances.business_key(agency.code, year, process, obj.settings.cycle_process)
        result = instances.start_instance(session, obj.clock, process, agency, year, key=key, data=data)
    click.echo(
        f"{'Started' if result.created else 'Already running'}: instance {result.instance_id} ({result.business_key})"
    )


@instances_group.command("show")
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def instances_show(obj: Context, instance_id: int, as_json: bool) -> None:
    """Show an instance with its tasks, timers and history."""
    with obj.session() as session:
        detail = instances.instance_detail(session, instance_id)
    if as_json:
        _emit_json(detail)
        return
    i = detail.instance
    click.echo(
        f"Instance {i.id} {i.business_key} — {i.process_key} v{i.definition_version} — {i.status} (version {i.version})"
    )
    click.echo("Tasks:")
    for t in detail.tasks:
        flag = "  [UNASSIGNABLE: nobody holds this role]" if t.unassignable else ""
        click.echo(f"  #{t.id} {t.spec_id} — {t.name} — {t.role} — {t.status}{flag}")
    click.echo("Timers:")
    for timer in detail.timers:
        click.echo(f"  {timer.spec_id} due {timer.due_at.isoformat()} — {timer.status}")
    click.echo("History:")
    for h in detail.history:
        click.echo(f"  {h.at.isoformat()} {h.actor}: {h.kind} {h.spec_id or ''}")


@main.group("tasks")
def tasks_group() -> None:
    """Human tasks."""


@tasks_group.command("list")
@click.option("--user", "username", required=True)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def tasks_list(obj: Context, username: str, as_json: bool) -> None:
    """A user's inbox."""
    with obj.session() as session:
        rows = task_queries.inbox(session, actor_by_username(session, username), limit=1000)
    if as_json:
        _emit_json(rows)
        return
    for t in rows:
        due = t.due_at.date().isoformat() if t.due_at else "-"
        click.echo(f"#{t.id:<6} {t.business_key:<18} {t.spec_id:<24} {t.name}  (due {due})")
    click.echo(f"{len(rows)} task(s)")


@tasks_group.command("complete")
@click.argument("task_id", type=int)
@click.option("--user", "username", required=True)
@click.option("--data", "data_json", default="{}", help="Form data as a JSON object.")
@click.option("--expect-version", type=int, default=None, help="Refuse if the instance changed since.")
@pass_ctx
def tasks_complete(obj: Context, task_id: int, username: str, data_json: str, expect_version: int | None) -> None:
    """Complete a task with form data."""
    data = _json_object(data_json)
    with obj.session() as session:
        actor = actor_by_username(session, username)
        ready = tasks.complete_task(session, obj.clock, actor, task_id, data, expected_version=expect_version)
    click.echo(f"Task {task_id} completed.")
    for t in ready:
        click.echo(f"Next: #{t.id} {t.spec_id} — {t.name} ({t.role})")
    if not ready:
        click.echo("Next: nothing waits for a person in this instance.")


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        _fail(f"--data is not valid JSON: {exc}")
    if not isinstance(value, dict):
        _fail("--data must be a JSON object")
    return dict(value)


@main.group("timers")
def timers_group() -> None:
    """Timers."""


@timers_group.command("fire")
@click.option("--now", "now_text", default=None, help="ISO datetime with offset (default: now).")
@pass_ctx
def timers_fire(obj: Context, now_text: str | None) -> None:
    """Fire every timer due at NOW."""
    now = _parse_instant(now_text) if now_text else obj.clock.now()
    fired: list[Any] = []
    while True:
        with obj.session() as session:
            batch = timers.fire_due(session, now, limit=100)
        fired.extend(batch)
        if not batch:  # firing can make more timers due (the next reminder): sweep until none is
            break
    ok = sum(1 for f in fired if f.ok)
    click.echo(f"Timers fired: {ok}; failed: {len(fired) - ok}")


def _parse_instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        _fail(f"--now '{text}' is not an ISO datetime (e.g. 2024-12-31T00:00:00+07:00)")
    if instant.tzinfo is None:
        _fail("--now needs a UTC offset, e.g. 2024-12-31T00:00:00+07:00")
    return instant


@main.command()
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--no-scheduler", is_flag=True, help="Do not embed the timer scheduler.")
@pass_ctx
def serve(obj: Context, host: str, port: int, no_scheduler: bool) -> None:
    """Serve the web app (with the scheduler embedded, for a single-node install)."""
    from web.app import create_app

    _refuse_demo_in_production(obj)
    app = create_app(obj.settings)
    if not no_scheduler:
        from scheduler import build_scheduler

        build_scheduler(obj.settings).start()
    from waitress import serve as waitress_serve

    click.echo(f"isoflow: http://{host}:{port}")
    waitress_serve(app, host=host, port=port, threads=8)


@main.command("scheduler")
@pass_ctx
def scheduler_command(obj: Context) -> None:
    """Run the timer scheduler as its own process."""
    from scheduler import build_scheduler

    click.echo("Scheduler running; Ctrl+C to stop.")
    build_scheduler(obj.settings, blocking=True).start()


def _refuse_demo_in_production(obj: Context) -> None:
    if not obj.settings.is_production:
        return
    with obj.session() as session:
        if has_demo_accounts(session):
            _fail("demo accounts exist and ISOFLOW_ENV=production: remove them before serving")


from cli.token_commands import tokens_group  # noqa: E402 - registered last, after `main` exists

main.add_command(tokens_group)

from cli.time_commands import calendar_group, simulate_command  # noqa: E402 - registered last, after `main` exists

main.add_command(calendar_group)
main.add_command(simulate_command)
from cli.user_commands import users_group  # noqa: E402 - registered last, after `main` exists

main.add_command(users_group)
