"""SQLAlchemy 2.0 tables, nothing else."""

from models.agency import Agency, RoleMembership, User
from models.base import Base
from models.calendar import CalendarOverrideRow
from models.collab import ApiToken, Attachment, LoginFailure, Substitution, TaskComment, TaskDraft
from models.definition import ProcessDefinition
from models.instance import HistoryEvent, HumanTask, ProcessInstance, Timer
from models.notification import Notification, ReminderLog, SimulationRun
from models.qms import (
    QmsAnnouncement,
    QmsCorrectiveAction,
    QmsDocument,
    QmsFinding,
    QmsInspection,
    QmsLegalUpdate,
    QmsManagementReview,
    QmsYearlyReport,
)

__all__ = [
    "Agency",
    "ApiToken",
    "Attachment",
    "Base",
    "CalendarOverrideRow",
    "HistoryEvent",
    "HumanTask",
    "LoginFailure",
    "Notification",
    "ProcessDefinition",
    "ProcessInstance",
    "QmsAnnouncement",
    "QmsCorrectiveAction",
    "QmsDocument",
    "QmsFinding",
    "QmsInspection",
    "QmsLegalUpdate",
    "QmsManagementReview",
    "QmsYearlyReport",
    "ReminderLog",
    "RoleMembership",
    "SimulationRun",
    "Substitution",
    "TaskComment",
    "TaskDraft",
    "Timer",
    "User",
]
