"""Typed QMS records that supervisors aggregate with plain SQL: one row per thing the law asks for.

Every row belongs to the process instance (and agency, cycle year) whose task wrote it. `scope`
identifies the called sub-process that wrote it (e.g. one corrective action among several of a
cycle; empty for the instance's own tasks) and `record_key` which process.json mapping did.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UtcDateTime


class QmsRecord:
    """Columns shared by every typed record."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    cycle_year: Mapped[int | None] = mapped_column(Integer, index=True)
    scope: Mapped[str] = mapped_column(String(64), default="")
    record_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class QmsDocument(QmsRecord, Base):
    """A QMS document or decision: code, title, kind, version, status and approval."""

    __tablename__ = "qms_document"

    code: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[str | None] = mapped_column(String(20))
    change: Mapped[str | None] = mapped_column(String(20))
    approval_number: Mapped[str | None] = mapped_column(String(100))
    approved_on: Mapped[date | None] = mapped_column(Date)


class QmsFinding(QmsRecord, Base):
    """An audit finding: ISO 9001 clause, unit, severity (major, minor, observation)."""

    __tablename__ = "qms_finding"

    source: Mapped[str | None] = mapped_column(String(20))
    clause: Mapped[str | None] = mapped_column(String(8), index=True)
    unit: Mapped[str | None] = mapped_column(String(200))
    auditor: Mapped[str | None] = mapped_column(String(64))
    severity: Mapped[str | None] = mapped_column(String(16))
    requirement: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)


class QmsCorrectiveAction(QmsRecord, Base):
    """One nonconformity's correction, cause, action, implementation and verification (ISO 9001 10.2)."""

    __tablename__ = "qms_corrective_action"

    clause: Mapped[str | None] = mapped_column(String(8))
    unit: Mapped[str | None] = mapped_column(String(200))
    severity: Mapped[str | None] = mapped_column(String(16))
    finding: Mapped[str | None] = mapped_column(Text)
    correction: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(Text)
    actions: Mapped[str | None] = mapped_column(Text)
    owner_name: Mapped[str | None] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(Date)
    implementation: Mapped[str | None] = mapped_column(Text)
    implemented_on: Mapped[date | None] = mapped_column(Date)
    implemented_by: Mapped[str | None] = mapped_column(String(64))
    verified_on: Mapped[date | None] = mapped_column(Date)
    verified_by: Mapped[str | None] = mapped_column(String(64))
    effective: Mapped[bool | None] = mapped_column(Boolean)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)


class QmsManagementReview(QmsRecord, Base):
    """A management review: 9.3.2 inputs, minutes, 9.3.3 outputs, approval."""

    __tablename__ = "qms_management_review"

    meeting_date: Mapped[date | None] = mapped_column(Date)
    chaired_by: Mapped[str | None] = mapped_column(String(200))
    minutes: Mapped[str | None] = mapped_column(Text)
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outputs: Mapped[list[Any] | None] = mapped_column(JSON)
    approved_on: Mapped[date | None] = mapped_column(Date)


class QmsAnnouncement(QmsRecord, Base):
    """An announcement or re-announcement on the QĐ 19 Appendix I form, its notification and posting."""

    __tablename__ = "qms_announcement"

    kind: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    procedure_count: Mapped[int | None] = mapped_column(Integer)
    internal_work: Mapped[bool | None] = mapped_column(Boolean)
    decision_number: Mapped[str | None] = mapped_column(String(100))
    decision_date: Mapped[date | None] = mapped_column(Date)
    notice_number: Mapped[str | None] = mapped_column(String(100))
    notice_date: Mapped[date | None] = mapped_column(Date)
    posted_at_office_on: Mapped[date | None] = mapped_column(Date)
    website_url: Mapped[str | None] = mapped_column(String(500))


class QmsYearlyReport(QmsRecord, Base):
    """The agency's yearly report to the Department (TT 26 Art 36 outline)."""

    __tablename__ = "qms_yearly_report"

    outline: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    report_number: Mapped[str | None] = mapped_column(String(100))
    report_date: Mapped[date | None] = mapped_column(Date)
    sent_via: Mapped[str | None] = mapped_column(String(30))
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)


class QmsInspection(QmsRecord, Base):
    """The Department's inspection of one agency (Forms 19 KHKT, 20 QĐKT, 21 BBKT) and its follow-up."""

    __tablename__ = "qms_inspection"

    inspection_kind: Mapped[str | None] = mapped_column(String(20))
    plan_number: Mapped[str | None] = mapped_column(String(100))
    plan_date: Mapped[date | None] = mapped_column(Date)
    planned_date: Mapped[date | None] = mapped_column(Date)
    decision_number: Mapped[str | None] = mapped_column(String(100))
    decision_date: Mapped[date | None] = mapped_column(Date)
    minutes_signed_on: Mapped[date | None] = mapped_column(Date)
    conclusion: Mapped[str | None] = mapped_column(Text)
    checks: Mapped[list[Any] | None] = mapped_column(JSON)
    corrective_required: Mapped[bool | None] = mapped_column(Boolean)
    corrective_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    corrective_report_number: Mapped[str | None] = mapped_column(String(100))
    corrective_report_date: Mapped[date | None] = mapped_column(Date)
    accepted: Mapped[bool | None] = mapped_column(Boolean)


class QmsLegalUpdate(QmsRecord, Base):
    """A changed legal document and whether the QMS took it in within 3 months."""

    __tablename__ = "qms_legal_update"

    legal_number: Mapped[str | None] = mapped_column(String(100))
    legal_title: Mapped[str | None] = mapped_column(String(1000))
    effective_date: Mapped[date | None] = mapped_column(Date)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    applied_from: Mapped[date | None] = mapped_column(Date)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)


RECORD_KINDS: dict[str, type[QmsRecord]] = {
    "document": QmsDocument,
    "finding": QmsFinding,
    "corrective_action": QmsCorrectiveAction,
    "management_review": QmsManagementReview,
    "announcement": QmsAnnouncement,
    "yearly_report": QmsYearlyReport,
    "inspection": QmsInspection,
    "legal_update": QmsLegalUpdate,
}
