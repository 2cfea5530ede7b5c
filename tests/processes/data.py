"""Valid form data for the process library's tasks, so scenarios read as steps, not payloads."""

from __future__ import annotations

from typing import Any

MANDATORY = ["scope", "quality_policy", "quality_objectives", "risks_opportunities", "documented_information",
             "internal_audit", "management_review", "corrective_action", "complaints_satisfaction", "work_procedure"]

TEAM = [
    {"username": "demo.auditor", "full_name": "Lê Văn Cường", "unit": "Văn phòng Sở", "lead": True},
    {"username": "auditor.two", "full_name": "Ngô Thị Hoa", "unit": "Phòng Quản lý chuyên ngành", "lead": False},
]


def committee(exists: bool = True, changed: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "committee_exists": exists, "members_changed": changed,
        "members": [{"full_name": "Trần Thị Bình", "committee_role": "head"},
                    {"full_name": "Nguyễn Văn An", "committee_role": "secretary"}],
    }
    if exists:
        data.update(decision_number="12/QĐ-SKHCN", decision_date="2023-02-01")
    return data


def documents(kinds: list[str] | None = None) -> list[dict[str, Any]]:
    return [{"code": f"QT-{i:02d}", "title": f"Tài liệu {kind}", "kind": kind, "version": "01", "change": "new"}
            for i, kind in enumerate(kinds or MANDATORY, start=1)]


def build(scope_status: str = "first", work_kind: str = "build", kinds: list[str] | None = None) -> dict[str, Any]:
    return {"work_kind": work_kind, "framework_version": "QD101-2019", "scope_status": scope_status,
            "procedure_count": 85, "includes_internal_work": True, "documents": documents(kinds),
            "summary": "Xây dựng hệ thống tài liệu theo mô hình khung"}


def approve(ok: bool = True) -> dict[str, Any]:
    if ok:
        return {"documents_approved": True, "decision_number": "25/QĐ-SKHCN", "decision_date": "2024-02-15"}
    return {"documents_approved": False, "comment": "Bổ sung quy trình xử lý phản ánh"}


APPLY = {"applied_from": "2024-02-16", "staff_informed": True, "dissemination": "Họp toàn cơ quan"}


def audit_plan(schedule: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "objectives": "Đánh giá sự phù hợp của HTQLCL", "scope": "Toàn bộ quy trình giải quyết TTHC",
        "criteria": ["iso9001", "qms_documents"], "start_date": "2024-05-06", "end_date": "2024-05-10",
        "team": TEAM,
        "schedule": schedule or [
            {"unit": "Bộ phận một cửa", "processes": "Tiếp nhận hồ sơ", "auditor": "demo.auditor",
             "date": "2024-05-06"},
            {"unit": "Văn phòng Sở", "processes": "Quản lý văn bản", "auditor": "auditor.two", "date": "2024-05-07"},
        ],
    }


def checklist(auditor: str = "demo.auditor", unit: str = "Bộ phận một cửa") -> dict[str, Any]:
    return {"checklist": [{"clause": "7.5", "unit": unit, "auditor": auditor, "question": "Kiểm soát hồ sơ",
                           "result": "nonconform", "evidence": "Sổ theo dõi thiếu"}]}


def findings(*severities: str) -> dict[str, Any]:
    rows = [{"clause": clause, "unit": "Bộ phận một cửa", "auditor": "demo.auditor", "severity": severity,
             "description": f"Phát hiện {i}", "evidence": "Hồ sơ mẫu"}
            for i, (clause, severity) in enumerate(zip(["7.5", "8.5", "9.1", "10.2"], severities, strict=False))]
    return {"findings": rows}


AUDIT_REPORT = {"report_date": "2024-05-12", "conclusion": "conforms_with_findings", "summary": "Có điểm cần khắc phục"}
ACCEPT_AUDIT = {"audit_report_accepted": True}

CORRECTION = {"correction": "Bổ sung sổ theo dõi", "correction_date": "2024-05-15"}
ROOT_CAUSE = {"root_cause": "Chưa phân công người cập nhật", "method": "five_whys", "similar_cases": False}


def action_plan(due: str = "2024-06-28") -> dict[str, Any]:
    return {"actions": "Phân công, đào tạo lại", "owner_name": "Nguyễn Văn An", "due_date": due}


IMPLEMENT = {"implementation": "Đã phân công và đào tạo", "implemented_on": "2024-06-20"}


def verify(ok: bool = True) -> dict[str, Any]:
    return {"action_effective": ok, "verified_on": "2024-06-25", "verification": "Kiểm tra hồ sơ tháng 6"}


REVIEW_INPUTS = dict.fromkeys([
    "previous_actions", "context_changes", "satisfaction", "objectives", "process_performance", "nonconformities",
    "monitoring", "audit_results", "providers", "resources", "risk_actions", "improvement_opportunities"], "Nội dung")
REVIEW_MINUTES = {
    "meeting_date": "2024-07-05", "chaired_by": "Trần Thị Bình", "participants": "Ban Chỉ đạo ISO",
    "minutes": "Biên bản họp xem xét",
    "review_outputs": [
        {"kind": "improvement", "description": "Số hóa hồ sơ", "owner": "Văn phòng", "due_date": "2024-12-31"},
        {"kind": "resource_need", "description": "Máy quét", "owner": "Văn phòng", "due_date": "2024-10-31"},
    ],
}
APPROVE_REVIEW = {"review_approved": True, "conclusion_number": "30/KL-SKHCN"}
CONFIRM = {"system_effective": True, "confirmation_number": "31/XN-SKHCN", "confirmation_date": "2024-07-20"}

PREPARE_ANNOUNCEMENT = {"announcement_kind": "first", "standard": "TCVN ISO 9001:2015", "procedure_count": 85,
                        "procedures": "85 TTHC thuộc thẩm quyền", "internal_work": False}
SIGN_ANNOUNCEMENT = {"announcement_signed": True, "announcement_number": "32/QĐ-SKHCN",
                     "announcement_date": "2024-07-25"}
NOTIFY = {"notice_number": "33/SKHCN-VP", "notice_date": "2024-07-26", "posted_at_office_on": "2024-07-26",
          "website_url": "https://example.vn/iso"}

PREPARE_REPORT = {
    "scope_covers_all_procedures": True, "procedure_count": 85, "documents_known_to_staff": True,
    "procedures_followed": True, "internal_audit_done": True, "management_review_done": True,
    "corrective_actions_done": True, "leaders_participate": True, "effectiveness_confirmed": True, "announced": True,
    "legal_updates_on_time": True, "reannounced_after_scope_change": "not_applicable",
}
SUBMIT_REPORT = {"report_signed": True, "report_number": "40/BC-SKHCN", "report_date": "2024-08-20",
                 "sent_via": "document_system"}

# The province's 2024 windows (Appendix 2 of the plan), as start data of dost_yearly_plan.
WINDOWS_2024 = {
    "deploy": {"from": "2024-03-01", "to": "2024-03-29"},
    "training": {"from": "2024-03-01", "to": "2024-06-28"},
    "auditor_training": {"from": "2024-03-01", "to": "2024-06-28"},
    "iso18091": {"from": "2024-03-01", "to": "2024-06-28"},
    "reports": {"from": "2024-08-01", "to": "2024-09-30"},
    "inspection": {"from": "2024-09-03", "to": "2024-10-31"},
    "aggregate": {"from": "2024-11-01", "to": "2024-11-30"},
    "ministry": {"from": "2024-12-02", "to": "2024-12-31"},
    "it_plan": {"from": "2024-06-03", "to": "2024-12-31"},
}
