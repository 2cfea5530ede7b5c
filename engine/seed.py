"""The default dataset: the seed plan's 143 agencies and the demo accounts."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts import create_user, grant_role, hash_password
from engine.clock import Clock
from models import Agency

SEED_DIR = Path(__file__).resolve().parent / "seed_data"
AGENCIES_CSV = SEED_DIR / "agencies_vinh_long_2024.csv"
PROVINCE_PREFIX = "VL"
DOST_CODE = "VL-013"  # Sở Khoa học và Công nghệ, agency no. 13 of the plan
DEMO_COMMUNE_CODE = "VL-049"  # UBND xã Mỹ Lộc


@dataclass(frozen=True)
class DemoAccount:
    """A demo login (password `demo`)."""

    username: str
    full_name: str
    agency_code: str
    roles: tuple[str, ...]


DEMO_ACCOUNTS = (
    DemoAccount("demo.officer", "Nguyễn Văn An (thư ký ISO)", DOST_CODE, ("iso_officer",)),
    DemoAccount("demo.head", "Trần Thị Bình (thủ trưởng)", DOST_CODE, ("agency_head",)),
    DemoAccount("demo.auditor", "Lê Văn Cường (chuyên gia đánh giá nội bộ)", DOST_CODE, ("internal_auditor",)),
    DemoAccount("demo.commune.officer", "Phạm Thị Dung (thư ký ISO xã Mỹ Lộc)", DEMO_COMMUNE_CODE, ("iso_officer",)),
    DemoAccount("demo.commune.head", "Võ Văn Em (Chủ tịch UBND xã Mỹ Lộc)", DEMO_COMMUNE_CODE, ("agency_head",)),
    DemoAccount("demo.supervisor", "Hoàng Thị Giang (Sở KH&CN, giám sát)", DOST_CODE, ("supervisor",)),
    DemoAccount("demo.admin", "Đặng Văn Hải (quản trị)", DOST_CODE, ("admin",)),
)


def agency_code(number: int) -> str:
    """The code of the plan's agency number N, e.g. VL-013."""
    return f"{PROVINCE_PREFIX}-{number:03d}"


def seed_agencies(session: Session, csv_path: Path = AGENCIES_CSV, valid_from: date = date(2024, 1, 1)) -> int:
    """Load the plan's agencies with their levels and parents; returns how many were added."""
    with csv_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    existing = {a.code: a for a in session.scalars(select(Agency))}
    by_name: dict[str, Agency] = {a.name: a for a in existing.values()}
    added = 0
    for row in rows:
        code = agency_code(int(row["no"]))
        if code in existing:
            continue
        parent = by_name.get(row["parent"]) if row["parent"] else None
        agency = Agency(
            code=code,
            name=row["name"],
            level=row["level"],
            parent_id=parent.id if parent else None,
            valid_from=valid_from,
            status="active",
        )
        session.add(agency)
        session.flush()
        by_name[agency.name] = agency
        added += 1
    return added


def seed_demo_accounts(session: Session, clock: Clock) -> int:
    """Create the demo accounts listed in the README; returns how many exist afterwards."""
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    # One hash for the shared, public demo password: demo accounts protect nothing.
    demo_hash = hash_password("demo")
    for account in DEMO_ACCOUNTS:
        user = create_user(
            session, clock.now(), account.username, account.full_name, "demo", is_demo=True, password_hash=demo_hash
        )
        for role in account.roles:
            grant_role(session, user, agencies[account.agency_code], role)
    return len(DEMO_ACCOUNTS)
