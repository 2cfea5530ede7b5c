"""Settings read from the environment once, by the entry point."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'isoflow.sqlite3'}"


# Optional knobs read by the scheduler (engine/reminders.py ReminderPolicy, the mail job).
_EXTRA = {
    "ISOFLOW_REMINDER_DAYS_BEFORE": "reminder_days_before",  # e.g. "7,1"
    "ISOFLOW_ESCALATION": "escalation",  # e.g. "agency_head:3,supervisor:10" (working days overdue)
    "ISOFLOW_REMIND_OVERDUE": "remind_overdue",  # "1" or "0"
    "ISOFLOW_SMTP_FROM": "smtp_from",
}


@dataclass(frozen=True)
class Settings:
    """Everything an entry point needs to wire the product."""

    database_url: str = DEFAULT_DATABASE_URL
    environment: str = "development"
    secret_key: str = "dev-only-secret-change-me"  # noqa: S105 - refused in production (see web.app)
    processes_dir: Path = PROJECT_ROOT / "processes"
    cycle_process: str = "iso_annual_cycle"
    report_due_month: int = 9
    report_due_day: int = 30
    scheduler_interval_seconds: int = 30
    smtp_host: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        """True when running as a real deployment."""
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build settings from ISOFLOW_* variables."""
        env = dict(os.environ if env is None else env)
        return cls(
            database_url=env.get("ISOFLOW_DATABASE_URL", DEFAULT_DATABASE_URL),
            environment=env.get("ISOFLOW_ENV", "development"),
            secret_key=env.get("ISOFLOW_SECRET_KEY", cls.secret_key),
            processes_dir=Path(env.get("ISOFLOW_PROCESSES_DIR", str(PROJECT_ROOT / "processes"))),
            scheduler_interval_seconds=int(env.get("ISOFLOW_SCHEDULER_INTERVAL", "30")),
            smtp_host=env.get("ISOFLOW_SMTP_HOST") or None,
            extra={key: env[name] for name, key in _EXTRA.items() if env.get(name)},
        )
