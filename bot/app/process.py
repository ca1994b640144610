"""Wiring: the Application that `liaisonbot run`, the demo and the tests all use, and its loops."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.ext import Application, ContextTypes

import handlers
import messages
from bot.app.http import AiohttpRequest
from bot.app.scheduler import Scheduler
from bot.app.sender import IN_FLIGHT, Limits, OutboxSender
from bot.app.updates import ALLOWED_UPDATES, UpdateRunner
from bot.domain.clock import Clock, SystemClock
from bot.domain.models import Person, Role
from bot.domain.policy import Policy, load_policy
from bot.domain.settings import Settings
from bot.services import dashboard, personnel
from handlers.context import BotContext, Env
from storage import Database, open_database
from storage import people as people_store

if TYPE_CHECKING:  # served only when configured: aiohttp's web server comes with them
    from bot.app.dashboard import DashboardServer
    from bot.app.webhook import WebhookServer

log = logging.getLogger(__name__)

USER_COMMANDS = ("report", "weekly", "raise", "node", "todo", "projects", "issues", "away", "cancel", "help")
ADMIN_COMMANDS = ("todo", "projects", "issues", "export", "meeting", "agenda", "decide", "minutes", "invite", "person",
                  "template", "cancel", "help")


def build_application(settings: Settings, env: Env) -> Application:
    app = (
        Application.builder()
        .token(settings.token_value())
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .updater(None)
        # the sender's sends at once and two more (a file a handler fetches, the commands set at start)
        .request(AiohttpRequest(IN_FLIGHT + 2))
        .get_updates_request(AiohttpRequest(1))  # unused (the runner polls), but PTB would make one
        .context_types(ContextTypes(context=BotContext))
        .build()
    )
    app.bot_data["env"] = env
    handlers.register(app)
    return app


class BotProcess:
    """The running bot: the Application, the update runner and the outbox sender."""

    def __init__(self, settings: Settings, *, policy: Policy | None = None, clock: Clock | None = None,
                 db: Database | None = None, limits: Limits | None = None, poll_timeout: int = 25,
                 schedule: bool = True, webhook: bool = False):
        self.settings = settings
        self.policy = policy or load_policy(settings.policy)
        self.clock = clock or SystemClock()
        self._db = db
        self._limits = limits
        self._poll_timeout = poll_timeout
        self._schedule = schedule
        self._webhook = webhook
        self.webhook_server: WebhookServer | None = None
        self.dashboard: DashboardServer | None = None
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> BotProcess:
        messages.set_timezone(self.settings.timezone)
        messages.use_policy(self.policy)
        self.db = self._db or await open_database(self.settings.db)
        self.env = Env(self.settings, self.policy, self.db, self.clock)
        self.app = build_application(self.settings, self.env)
        await self.app.initialize()
        if not self._webhook:
            await self.app.bot.delete_webhook()
        self.sender = OutboxSender(self.db, self.app.bot, self.policy.delivery.max_attempts,
                                   limits=self._limits)
        self.runner = UpdateRunner(self.app, self.db, self.clock, self.sender, self._poll_timeout)
        await self.app.start()
        removed = await self._sync_admins()
        await self.register_commands(removed)
        await self.runner.prune()
        if self._schedule:
            self.scheduler = Scheduler(self.app, self.db, self.policy, self.settings.tz, self.clock, self.sender)
            await self.scheduler.catch_up()
            self.scheduler.start()
        if self._webhook:
            from bot.app.webhook import WebhookServer

            url, secret, host, port = self.settings.webhook()
            self.webhook_server = await WebhookServer(self.runner, secret, host, port).start()
            await self.app.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        if self.settings.dashboard_listen:
            from bot.app.dashboard import DashboardServer

            host, _, port = self.settings.dashboard_listen.rpartition(":")
            self.dashboard = await DashboardServer(self.env, self.app.bot, self.sender, host, int(port)).start()
            self.sender.dashboard = self.settings.dashboard_address(self.dashboard.port)
            self.sender.dashboard_link = self.settings.dashboard_link
            async with self.db.transaction() as tx:
                await dashboard.offer_menu(tx, self.clock.now())
        for coroutine in (self.sender.run(), self.runner.handle_forever(),
                          *(() if self._webhook else (self.runner.poll(),))):
            self._tasks.append(asyncio.create_task(coroutine))
        return self

    async def _sync_admins(self) -> list[Person]:
        """LIAISONBOT_ADMIN_IDS is the whole truth about administrators, at every start."""
        async with self.db.transaction() as tx:
            removed, added = await personnel.sync_admins(tx, self.clock.now(), self.settings.admin_ids)
        for person in removed:
            log.warning("%s is no longer an administrator (not in LIAISONBOT_ADMIN_IDS)", person.name)
        for person in added:
            log.warning("%s is an administrator (LIAISONBOT_ADMIN_IDS)", person.name)
        return removed

    async def register_commands(self, former_admins: list[Person]) -> None:
        bot = self.app.bot
        for person in former_admins:  # their menu loses the administrators' commands
            if person.telegram_id:
                await bot.delete_my_commands(scope=BotCommandScopeChat(person.telegram_id))
        for locale in messages.LOCALES:
            commands = [BotCommand(c, messages.label(locale, f"commands.{c}")) for c in USER_COMMANDS]
            await bot.set_my_commands(commands, scope=BotCommandScopeDefault(),
                                      language_code=None if locale == messages.DEFAULT_LOCALE else locale)
            admin_commands = [BotCommand(c, messages.label(locale, f"commands.{c}")) for c in ADMIN_COMMANDS]
            for admin in await people_store.with_role(self.db.read, Role.admin):
                if admin.telegram_id and (admin.locale or messages.DEFAULT_LOCALE) == locale:
                    await bot.set_my_commands(admin_commands, scope=BotCommandScopeChat(admin.telegram_id))

    async def wait(self) -> None:
        """Until a loop dies (its error is raised) or the process is cancelled."""
        done, _ = await asyncio.wait(self._tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        _, stuck = await asyncio.wait(self._tasks, timeout=10)
        for task in stuck:
            log.error("task did not stop: %s", task.get_coro())
            task.print_stack()
        self._tasks.clear()
        await self.sender.settle()
        for server in (self.webhook_server, self.dashboard):  # the webhook stays set: another worker may serve it
            if server:
                await server.stop()
        for step in (self.app.stop, self.app.shutdown):
            try:
                await asyncio.wait_for(step(), 10)
            except Exception:
                log.exception("stopping the application: %s failed", step.__name__)
        if self._db is None:
            await self.db.close()
