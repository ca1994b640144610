"""年初定目标、年中看进度、年底亮结果 (000): the 快讯's figures and the scorecard over the first half (posted in
July) and over the year (in January), where the policy asks for them."""

from __future__ import annotations

from bot.domain.policy import Policy
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.services import bulletins
from storage import people, reports
from storage import projects as project_store
from tests.helpers import ADMIN, TZ, bind_group, local

POLICY = Policy.model_validate({"bulletins": {"summaries": ["half", "year"]}})
GROUP = -1003


async def _first_half(db) -> None:
    """JC-2026-001 reports January to June: on time but March (补报) and May (none); -002 never."""
    async with db.transaction() as tx:
        liaison = (await people.by_name(tx, "李娜"))[0]
        project = await project_store.by_code(tx, "JC-2026-001")
        for month, late in (("01", False), ("02", False), ("03", True), ("04", False), ("06", False)):
            await reports.add_revision(tx, project_id=project.id, period=f"2026-{month}", reporter_id=liaison.id,
                                       ytd_completed=int(month) * 4_000_000, stage="continuing", progress="x",
                                       photos=[], milestones_reached=[], next_plan="y",
                                       now=local(2026, int(month), 25, 10, 0), late=late)


async def test_the_half_year_scores_every_month_of_the_half(db, team):
    await _first_half(db)
    data = await bulletins.gather_summary(db.read, "2026-H1", None, POLICY, TZ)
    assert (data.month, data.span) == ("2026-06", "half")
    transport = next(s for s in data.scores if s.unit == "县交通局")  # leads -001 and -002: 12 reports owed
    assert (transport.reports.done, transport.reports.owed) == (4, 12)
    text = (await bulletins.render(data, POLICY, None, "全县")).text
    assert text.startswith("<b>2026年上半年重点项目推进情况</b>（全县）")
    assert "上半年新反映 0 个" in text and "• 县交通局：按时报送月报 4 个（应报 12 个，33.3%）" in text
    month = await bulletins.gather(db.read, "2026-06", None, POLICY, TZ)  # the June 快讯 scores June alone
    assert next(s for s in month.scores if s.unit == "县交通局").reports.owed == 2


async def test_the_job_posts_the_half_in_july_and_the_year_in_january_as_the_policy_asks(db, team, sandbox, bot):
    await _first_half(db)
    admin = sandbox.user(ADMIN, "王主任")
    sandbox.group(GROUP, "项目群")
    await bind_group(admin, GROUP, "月度投资快讯")
    july = await run_job(db, JOBS["progress-summary"], local(2026, 7, 15, 9, 0), POLICY, TZ)
    assert july.period == "2026-H1" and "2026年上半年重点项目推进情况" in by_chat_text(july)
    january = await run_job(db, JOBS["progress-summary"], local(2027, 1, 15, 9, 0), POLICY, TZ)
    assert january.period == "2026-Y" and "2026年重点项目推进情况" in by_chat_text(january)
    half_only = Policy.model_validate({"bulletins": {"summaries": ["half"]}})
    quiet = await run_job(db, JOBS["progress-summary"], local(2028, 1, 15, 9, 0), half_only, TZ)
    assert quiet.ran and not quiet.messages  # a year summary the county does not ask for
    assert Policy().bulletins.summaries == []  # off unless the county asks


def by_chat_text(outcome) -> str:
    """Every text and caption the run queued for the group."""
    return "".join(params.get("text") or params.get("caption") or "" for chat_id, _, params in outcome.messages
                   if chat_id == GROUP)

