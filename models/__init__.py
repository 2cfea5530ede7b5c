"""SQLAlchemy 2.0 tables, nothing else."""

from models.agency import Agency, RoleMembership, User
from models.base import Base
from models.calendar import CalendarOverrideRow
from models.definition import ProcessDefinition
from models.instance import HistoryEvent, HumanTask, ProcessInstance, Timer

__all__ = [
    "Agency", "Base", "CalendarOverrideRow", "HistoryEvent", "HumanTask", "ProcessDefinition", "ProcessInstance",
    "RoleMembership", "Timer", "User",
]
