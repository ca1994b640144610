"""Building sheets and data for tests."""

from __future__ import annotations

import asyncio
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from bot.domain.clock import FixedClock
from bot.domain.policy import Policy
from bot.formats.project_sheet import (
    MILESTONE_HEADERS,
    MILESTONE_SHEET,
    MONTH_PLAN_HEADERS,
    MONTH_PLAN_SHEET,
    PROJECT_HEADERS,
)
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.services import issues as issue_service
from bot.services.context import Context
from storage import people


def project_row(code: str = "JC-2026-001", **overrides: object) -> dict:
    row = {
        "code": code, "name": f"{code} 产业园道路", "tier": "重点", "level": "县列", "stage": "续建",
        "industry": "交通", "location": "城关镇", "owner": "城投公司", "lead_unit": "县交通局",
        "responsible_units": "县住建局、城关镇", "lead_leader": "周建国", "liaison": "李娜",
        "total_investment": "12000", "annual_plan": "4800", "planned_start": "2026-03-01",
        "planned_end": "2027-12-31",
    }
    row.update(overrides)
    return row


def xlsx(rows: list[dict], milestones: list[dict] | None = None,
         headers: dict[str, str] = PROJECT_HEADERS, month_plans: list[dict] | None = None) -> bytes:
    """The project sheet, and the 节点 and 月度计划 sheets when given (month plans by field: code, m1…)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "项目"
    sheet.append(list(headers.values()))
    for row in rows:
        sheet.append([row.get(field) for field in headers])
    if milestones is not None:
        extra = book.create_sheet(MILESTONE_SHEET)
        extra.append(list(MILESTONE_HEADERS.values()))
        for m in milestones:
            extra.append([m.get(field) for field in MILESTONE_HEADERS])
    if month_plans is not None:
        extra = book.create_sheet(MONTH_PLAN_SHEET)
        extra.append(list(MONTH_PLAN_HEADERS.values()))
        for m in month_plans:
            extra.append([m.get(field) for field in MONTH_PLAN_HEADERS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[dict], encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(PROJECT_HEADERS.values())]
    for row in rows:
        lines.append(",".join(str(row.get(f, "")) for f in PROJECT_HEADERS))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


async def outbox_settled(db, timeout: float = 10.0) -> None:
    """Until the sender has recorded every delivery (it marks a row just after Telegram answers)."""
    async with asyncio.timeout(timeout):
        while await db.read.scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"):
            await asyncio.sleep(0.02)


async def bind_group(admin, chat_id: int, *subscriptions: str) -> None:
    """An administrator binds a group to all projects, with the subscriptions named, by its buttons."""
    await admin.ask("/bind", chat_id=chat_id)
    await admin.tap("全部项目", chat_id=chat_id)
    for name in subscriptions:
        await admin.tap(name, chat_id=chat_id)
    await admin.tap("完成", chat_id=chat_id)
    await admin.tap("✅ 提交", chat_id=chat_id)


async def bind(db, name: str, telegram_id: int, *, role=None, unit: str | None = None) -> int:
    """Bind a person named in the data to a Telegram account (as an invite would), optionally
    giving them a role and a unit; returns the person's id."""
    from bot.domain.clock import SystemClock
    from storage import people

    async with db.transaction() as tx:
        found = await people.by_name(tx, name)
        person_id = found[0].id if found else await people.create(tx, name, SystemClock().now())
        await people.bind_telegram(tx, person_id, telegram_id, "zh")
        if role is not None:
            await people.add_role(tx, person_id, role)
        if unit is not None:
            await people.set_unit(tx, person_id, await people.ensure_unit(tx, unit))
    return person_id


# -- scheduled jobs and issues at an explicit instant ---------------------------------------
TZ = ZoneInfo("Asia/Shanghai")
POLICY = Policy()
LIAISON, OTHER, HEAD, ADMIN, LEADER, WORKER = 6001, 6002, 6101, 5001, 6301, 6201


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


async def run_at(db, name: str, when: datetime, dry_run: bool = False):
    return await run_job(db, JOBS[name], when, POLICY, TZ, dry_run=dry_run)


def by_chat(outcome) -> dict[int, str]:
    found: dict[int, str] = {}
    for chat_id, method, params in outcome.messages:
        assert method == "sendMessage"
        found[chat_id] = found.get(chat_id, "") + params["text"]
    return found


async def raised_issue(db, when: datetime, description: str = "征地未完成") -> int:
    """A 用地 problem of JC-2026-001 raised by 李娜 at `when`, waiting to be assigned; the outbox emptied."""
    async with db.transaction() as tx:
        raiser = (await people.by_name(tx, "李娜"))[0]
        project_id = await tx.scalar("SELECT id FROM projects WHERE code = 'JC-2026-001'")
        issue = await issue_service.raise_issue(tx, FixedClock(when), raiser, project_id=project_id, category="用地",
                                                description=description, need=None, need_by=None, photos=[], tz=TZ)
        await tx.execute("DELETE FROM outbox")
    return issue.id


async def assigned_issue(db, when: datetime, days: int = 7) -> int:
    clock = FixedClock(when)
    issue_id = await raised_issue(db, when)
    async with db.transaction() as tx:
        admin = (await people.by_name(tx, "王主任"))[0]
        unit_id = await people.ensure_unit(tx, "县住建局")
        worker = (await people.by_name(tx, "钱工"))[0]
        leader = (await people.by_name(tx, "周建国"))[0]
        deadline = issue_service.default_deadline(when.astimezone(TZ).date(), POLICY.issue_clocks, False)
        await issue_service.assign(Context(tx, clock, POLICY, TZ), admin, issue_id, issue_service.Assignment(
            unit_id=unit_id, assignee_id=worker.id, leader_id=leader.id, plan="协调", deadline=deadline, major=False))
        await tx.execute("DELETE FROM outbox")
    return issue_id
