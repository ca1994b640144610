"""What each `liaisonbot` subcommand does (argument parsing stays in cli.py)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import html
import re
import signal
from datetime import datetime
from pathlib import Path

from telegram import Bot

from bot.app.process import BotProcess
from bot.cli.demo import run_demo
from bot.domain import inputs
from bot.domain.clock import SystemClock
from bot.domain.errors import Refused
from bot.domain.models import GroupChat, Role
from bot.domain.policy import Policy
from bot.domain.settings import Settings
from bot.formats import project_sheet
from bot.formats.sheet_limits import check_size
from bot.jobs.catalog import JOBS
from bot.jobs.runner import run_job
from bot.services import bulletins, exports, people, personnel, registry
from bot.services.groups import describe
from messages import render_plain
from messages.imports import import_report, sheet_error
from storage import Database, job_runs
from storage import people as people_store


async def run(settings: Settings, policy: Policy) -> int:
    process = await BotProcess(settings, policy=policy).start()
    settle()
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await process.wait()
    except asyncio.CancelledError:
        pass
    finally:
        await process.stop()
    return 0


def settle() -> None:
    """After start-up: what exists now (modules, catalogs, the application) lives as long as the
    process, so the garbage collector need not walk it again. Bulk work (a bulletin over 10,000
    projects) then spends a fifth less time in collections (docs/benchmarks.md)."""
    gc.collect()
    gc.freeze()


async def demo() -> int:
    await run_demo()
    return 0


def template(path: Path) -> int:
    path.write_bytes(project_sheet.template())
    print(f"wrote {path}")
    return 0


async def import_projects(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    locale = args.lang or settings.locale
    try:
        check_size(args.file.stat().st_size)  # before reading it into memory
        sheet = await asyncio.to_thread(project_sheet.read_sheet, args.file.read_bytes(), args.file.name)
    except OSError as exc:
        print(f"liaisonbot: cannot read {args.file}: {exc.strerror}")
        return 1
    except project_sheet.SheetError as exc:
        print(sheet_error(locale, exc, plain=True))
        return 1
    db = await Database.open(settings.db)
    try:
        async with db.transaction() as tx:
            report = await registry.apply_sheet(tx, SystemClock(), sheet, args.skip_invalid)
    finally:
        await db.close()
    print(import_report(locale, report, plain=True, cli=True, max_listed=1000))
    return 0 if report.applied and not report.errors else 1


async def invite(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    db = await Database.open(settings.db)
    try:
        async with db.transaction() as tx:
            code, person = await people.create_invite(
                tx, SystemClock(), policy, name=args.name, role=Role(args.role),
                project_code=args.project, unit=args.unit)
    except Refused as refused:
        print(render_plain(settings.locale, refused.key, **refused.values))
        return 1
    finally:
        await db.close()
    username = await _bot_username(settings)
    link = people.deep_link(username, code) if username else f"/start {code}"
    print(render_plain(settings.locale, "invite.created_plain", person=person, role=args.role,
                       days=policy.invite_valid_days, link=link))
    return 0


async def _bot_username(settings: Settings) -> str | None:
    """Ask Telegram for the bot's name when a token is set; without one, print the bare code."""
    if settings.token is None:
        return None
    bot = Bot(settings.token_value(), base_url=settings.api_base_url, base_file_url=settings.api_file_url)
    with contextlib.suppress(Exception):
        async with bot:
            return bot.username
    return None


async def migrate(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    db = await Database.open(settings.db, migrate=False)
    try:
        applied = await db.migrate()
        print("applied: " + ", ".join(applied) if applied else "database is up to date")
        print(f"schema version {await db.schema_version()}")
    finally:
        await db.close()
    return 0


async def backup(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    if not Path(settings.db).exists():
        print(f"liaisonbot: no database at {settings.db}")
        return 1
    db = await Database.open(settings.db, migrate=False)
    try:
        await db.backup(args.file)
    finally:
        await db.close()
    print(f"backed up {settings.db} to {args.file}")
    return 0


async def person(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    """`liaisonbot person show|revoke|role|unlink|deactivate NAME [ROLE]`, recorded as the command line's."""
    locale, actor = settings.locale, personnel.Actor(None, "cli")
    db = await Database.open(settings.db)
    try:
        async with db.transaction() as tx:
            now = SystemClock().now()
            target = await personnel.find(tx, args.name)
            if args.what == "show":
                card = await personnel.card(tx, target)
                text = render_plain(locale, "people.card", c=card, roles=[r.value for r in target.role_list])
            elif args.what in ("revoke", "role"):
                change = personnel.revoke if args.what == "revoke" else personnel.set_role
                changed = await change(tx, now, actor, target, Role(args.role))
                text = render_plain(locale, f"people.{'revoked' if args.what == 'revoke' else 'role_set'}",
                                    person=changed, role=args.role)
            elif args.what == "unlink":
                text = render_plain(locale, "people.unlinked",
                                    person=await personnel.unlink(tx, now, actor, settings.admin_ids, target))
            else:
                work = await personnel.deactivate(tx, now, actor, settings.admin_ids, target)
                text = render_plain(locale, "people.deactivated", name=target.name, work=work)
    except Refused as refused:
        print(render_plain(locale, refused.key, **refused.values))
        return 1
    finally:
        await db.close()
    print(text)
    return 0


async def jobs(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    tz = settings.tz
    db = await Database.open(settings.db)
    try:
        if args.what == "list":
            now = SystemClock().now()
            print(f"{'job':28} {'schedule':48} {'last run':26} next run")
            for name, job in JOBS.items():
                last = await job_runs.last_run(db.read, name)
                upcoming = job.trigger(policy, tz).get_next_fire_time(None, now)
                print(f"{name:28} {job.trigger(policy, tz)!s:48} "
                      f"{(last[0] if last else '—'):26} {upcoming.isoformat(timespec='minutes')}")
            return 0
        job = JOBS.get(args.name)
        if job is None:
            print(f"liaisonbot: no job named {args.name!r}; see `liaisonbot jobs list`")
            return 1
        try:
            instant = datetime.fromisoformat(args.at)
        except ValueError:
            print(f"liaisonbot: --at {args.at!r} is not a time like 2026-12-01T09:00")
            return 1
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=tz)
        outcome = await run_job(db, job, instant, policy, tz, dry_run=args.dry_run)
    finally:
        await db.close()
    summary = outcome.reason if outcome.reason else f"queued {len(outcome.messages)} messages"
    if outcome.reason == "dry run":
        summary = f"dry run, would send {len(outcome.messages)} messages"
    print(f"{outcome.job} for {outcome.period}: {summary}")
    for chat_id, method, params in outcome.messages:
        print(f"--- {method} to {chat_id}\n{params.get('text', params.get('caption', ''))}")
    return 0


async def bulletin(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    kind, _, value = args.scope.partition(":")
    if kind not in ("all", "unit", "tier", "level") or (kind != "all" and not value):
        print(f"liaisonbot: --scope {args.scope!r}: use all, unit:NAME, tier:VALUE or level:VALUE")
        return 1
    period = inputs.month(args.month) if args.month else inputs.quarter(args.quarter)
    if period is None:
        print(f"liaisonbot: {args.month or args.quarter!r} is not a month like 2026-10 or a quarter like 2026-Q3")
        return 1
    db = await Database.open(settings.db)
    try:
        if kind == "unit":
            units = {u.name: u.id for u in await people_store.units(db.read)}
            if value not in units:
                print(f"liaisonbot: no unit called {value!r}")
                return 1
            value = str(units[value])
        group = None if kind == "all" else GroupChat(chat_id=0, title="preview", scope_kind=kind, scope_value=value)
        scope = await describe(db.read, group, settings.locale)
        if args.month:
            data = await bulletins.gather(db.read, period, group, policy, settings.tz)
            post = await bulletins.render(data, policy, settings.locale, scope)
        else:
            data = await bulletins.gather_quarter(db.read, period, group, policy, settings.tz)
            post = bulletins.render_quarter(data, policy, settings.locale, scope)
    finally:
        await db.close()
    args.preview.mkdir(parents=True, exist_ok=True)
    written = [args.preview / ("bulletin.txt" if args.month else "quarterly.txt")]
    plain = html.unescape(re.sub(r"<[^>]+>", "", (post.caption + "\n\n" if post.caption else "") + post.text))
    written[0].write_text(plain + "\n", encoding="utf-8")
    if post.chart is not None:
        written.append(args.preview / "chart.png")
        written[1].write_bytes(post.chart)
    print("wrote " + " and ".join(str(path) for path in written))
    return 0


async def export(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    month = getattr(args, "month", None)
    if month is not None and inputs.month(month) is None:
        print(f"liaisonbot: --month {month!r} is not a month like 2026-10")
        return 1
    db = await Database.open(settings.db)
    try:
        if args.what == "issues":
            data = await exports.issue_ledger(db.read, SystemClock().now(), policy, settings.tz, settings.locale)
        else:
            make = exports.progress if args.what == "progress" else exports.bulletin
            data = await make(db.read, month, policy, settings.tz, settings.locale)
    finally:
        await db.close()
    try:
        args.file.write_bytes(data)
    except OSError as exc:
        print(f"liaisonbot: cannot write {args.file}: {exc.strerror}")
        return 1
    print(f"wrote {args.file}")
    return 0
