"""Every scheduled job in one table: its name, when it runs (from the policy), the period a run is
for (it runs once per period), and the service it calls."""

from __future__ import annotations

from bot.domain.periods import previous_month, summary_period
from bot.domain.quarter_figures import previous_quarter
from bot.jobs.runner import Job, at, by_day, by_quarter_hour, by_week, weekday
from bot.services import bulletins, digests, escalation, flag_watch, meetings, reminders

JOBS: dict[str, Job] = {job.name: job for job in (
    Job("weekly-update-request", period=by_week, run=reminders.weekly_request,
        cron=lambda p: {"day_of_week": weekday(p.weekly_update.ask_weekday), **at(p.weekly_update.ask_time)}),
    Job("weekly-update-nudge", period=by_week, run=reminders.weekly_nudge,
        cron=lambda p: {"day_of_week": weekday(p.weekly_update.nudge_weekday), **at(p.weekly_update.nudge_time)}),
    Job("monthly-report-countdown", period=by_day, run=reminders.monthly_countdown,
        cron=lambda p: at(p.monthly_report.remind_time)),
    Job("issue-clocks", period=by_quarter_hour, run=escalation.check_clocks, cron=lambda p: {"minute": "*/15"}),
    Job("leader-daily-digest", period=by_day, run=digests.leader_digest, working_days_only=True,
        cron=lambda p: at(p.bulletins.leader_digest_time)),
    Job("flag-watch", period=by_day, run=flag_watch.watch, cron=lambda p: {"hour": 7, "minute": 30}),
    Job("meeting-calendar", period=by_day, run=meetings.make_recurring, cron=lambda p: {"hour": 7, "minute": 0}),
    Job("meeting-packs", period=by_day, run=meetings.send_packs, working_days_only=True,
        cron=lambda p: at(p.meetings.pack_time)),
    Job("weekly-digest", period=by_week, run=digests.weekly_digest,
        cron=lambda p: {"day_of_week": weekday(p.bulletins.weekly_digest_weekday),
                        **at(p.bulletins.weekly_digest_time)}),
    Job("monthly-bulletin", period=previous_month, prepare=bulletins.monthly_for_groups, run=bulletins.post_monthly,
        cron=lambda p: {"day": p.bulletins.monthly_day, **at(p.bulletins.monthly_time)}),
    Job("progress-summary", period=summary_period, prepare=bulletins.summary_for_groups, run=bulletins.post_summary,
        cron=lambda p: {"month": "1,7", "day": p.bulletins.summary_day, **at(p.bulletins.monthly_time)}),
    Job("quarterly-analysis", period=previous_quarter, prepare=bulletins.quarterly_for_groups,
        run=bulletins.post_quarterly,
        cron=lambda p: {"month": "1,4,7,10", "day": p.bulletins.quarterly_day, **at(p.bulletins.quarterly_time)}),
)}
