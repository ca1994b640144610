"""Running the jobs on their schedules (PTB's JobQueue, i.e. APScheduler, in LIAISONBOT_TIMEZONE),
and at start-up the runs missed while the bot was down, if still within the policy's grace."""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext

from bot.app.sender import OutboxSender
from bot.domain.clock import Clock
from bot.domain.policy import Policy
from bot.jobs.catalog import JOBS
from bot.jobs.runner import Outcome, last_fire, run_job
from storage import Database

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, app: Application, db: Database, policy: Policy, tz: ZoneInfo, clock: Clock,
                 sender: OutboxSender) -> None:
        self.app, self.db, self.policy, self.tz, self.clock, self.sender = app, db, policy, tz, clock, sender

    def start(self) -> None:
        for job in JOBS.values():
            self.app.job_queue.run_custom(self._fire, job_kwargs={"trigger": job.trigger(self.policy, self.tz)},
                                          name=job.name, data=job.name)

    async def _fire(self, context: CallbackContext) -> None:
        await self._run(context.job.data, self.clock.now())

    async def catch_up(self) -> list[Outcome]:
        """Runs owed from downtime: the latest scheduled instant within the grace, at most once."""
        grace = timedelta(hours=self.policy.delivery.missed_run_grace_hours)
        outcomes = []
        for name, job in JOBS.items():
            fire = last_fire(job, self.policy, self.tz, self.clock.now(), grace)
            if fire is not None:
                outcomes.append(await self._run(name, fire))
        return outcomes

    async def _run(self, name: str, instant) -> Outcome:
        try:
            outcome = await run_job(self.db, JOBS[name], instant, self.policy, self.tz)
        except Exception:
            log.exception("job %s at %s failed", name, instant)
            raise
        if outcome.ran:
            log.info("job %s for %s queued %d messages", name, outcome.period, len(outcome.messages))
            self.sender.wake()
        return outcome
