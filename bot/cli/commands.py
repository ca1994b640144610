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
from bot.domain import inputs
from bot.domain.bulletin_figures import SCOPE_KINDS
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
from bot.services.context import Context
from bot.services.groups import describe, programmes
from messages import render_plain
from messages.imports import import_report, sheet_error
from storage import is_postgresql, job_runs, open_database
from storage import people as people_store
from storage.copy import CopyRefused, copy_database


async def run(settings: Settings, policy: Policy, webhook: bool = False) -> int:
    if webhook:
        settings.webhook()  # what is missing is said before anything starts
    process = await BotProcess(settings, policy=policy, webhook=webhook).start()
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


async def demo(dashboard: str | None) -> int:
    from bot.cli.demo import run_demo  # the sandbox and the sample sheet: not in a `run` against Telegram

    await run_demo(dashboard=dashboard)
    return 0


def _say(locale: str | None, key: str, **values: object) -> None:
    """Every line the command prints comes from the message catalogue (cli.*), in the locale."""
    print(render_plain(locale, f"cli.{key}", **values))


def template(settings: Settings, path: Path) -> int:
    path.write_bytes(project_sheet.template())
    _say(settings.locale, "wrote", paths=[path])
    return 0


async def import_projects(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    locale = args.lang or settings.locale
    try:
        check_size(args.file.stat().st_size)  # before reading it into memory
        sheet = await asyncio.to_thread(project_sheet.read_sheet, args.file.read_bytes(), args.file.name)
    except OSError as exc:
        _say(locale, "cannot_read", path=args.file, reason=exc.strerror)
        return 1
    except project_sheet.SheetError as exc:
        print(sheet_error(locale, exc, plain=True))
        return 1
    db = await open_database(settings.db)
    try:
        async with db.transaction() as tx:
            report = await registry.apply_sheet(Context(tx, SystemClock(), policy, settings.tz), sheet,
                                                 args.skip_invalid)
    finally:
        await db.close()
    print(import_report(locale, report, plain=True, cli=True, max_listed=1000))
    return 0 if report.applied and not report.errors else 1


async def invite(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    db = await open_database(settings.db)
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
    db = await open_database(settings.db, migrate=False)
    try:
        applied = await db.migrate()
        _say(settings.locale, "migrated", applied=applied, version=await db.schema_version())
    finally:
        await db.close()
    return 0


async def backup(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    if is_postgresql(settings.db):
        _say(settings.locale, "backup_postgresql")
        return 1
    if not Path(settings.db).exists():
        _say(settings.locale, "no_database", path=settings.db)
        return 1
    db = await open_database(settings.db, migrate=False)
    try:
        await db.backup(args.file)
    finally:
        await db.close()
    _say(settings.locale, "backed_up", source=settings.db, target=args.file)
    return 0


async def copy_db(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    """`liaisonbot copy-db FROM TO`: a SQLite file into an empty database (PostgreSQL), counts checked."""
    if not is_postgresql(args.source) and not Path(args.source).exists():
        _say(settings.locale, "no_database", path=args.source)
        return 1
    source = await open_database(args.source)
    try:
        target = await open_database(args.target)
        try:
            copied = await copy_database(source, target)
        except CopyRefused as refused:
            _say(settings.locale, "copy_refused", reason=str(refused))
            return 1
        finally:
            await target.close()
    finally:
        await source.close()
    ok = all(c.source == c.target for c in copied)
    _say(settings.locale, "copied", copied=copied, ok=ok)
    return 0 if ok else 1


async def person(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    """`liaisonbot person show|revoke|role|unlink|deactivate NAME [ROLE]`, recorded as the command line's."""
    locale, actor = settings.locale, personnel.Actor(None, "cli")
    db = await open_database(settings.db)
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


async def project(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    """`liaisonbot project out|in CODE --reason …`: 调出 / 调入, recorded as the command line's."""
    db = await open_database(settings.db)
    try:
        async with db.transaction() as tx:
            ctx = Context(tx, SystemClock(), policy, settings.tz)
            changed = await registry.set_listed(ctx, None, args.code, args.what == "in", args.reason)
    except Refused as refused:
        print(render_plain(settings.locale, refused.key, **refused.values))
        return 1
    finally:
        await db.close()
    print(render_plain(settings.locale, "projects.listed" if args.what == "in" else "projects.delisted",
                       project=changed))
    return 0


async def jobs(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    tz = settings.tz
    db = await open_database(settings.db)
    try:
        if args.what == "list":
            now = SystemClock().now()
            _say(settings.locale, "jobs_header")
            for name, job in JOBS.items():
                last = await job_runs.last_run(db.read, name)
                upcoming = job.trigger(policy, tz).get_next_fire_time(None, now)
                _say(settings.locale, "job_line", name=name, schedule=job.trigger(policy, tz),
                     last=last[0] if last else None, next=upcoming.isoformat(timespec="minutes"))
            return 0
        job = JOBS.get(args.name)
        if job is None:
            _say(settings.locale, "no_job", name=args.name)
            return 1
        try:
            instant = datetime.fromisoformat(args.at)
        except ValueError:
            _say(settings.locale, "bad_instant", value=args.at)
            return 1
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=tz)
        outcome = await run_job(db, job, instant, policy, tz, dry_run=args.dry_run)
    finally:
        await db.close()
    _say(settings.locale, "job_outcome", job=outcome.job, period=outcome.period, reason=outcome.reason,
         count=len(outcome.messages))
    for chat_id, method, params in outcome.messages:
        _say(settings.locale, "job_message", method=method, chat_id=chat_id,
             text=params.get("text", params.get("caption", "")))
    return 0


async def bulletin(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    kind, _, value = args.scope.partition(":")
    if kind not in SCOPE_KINDS or (kind != "all" and not value):
        _say(settings.locale, "bad_scope", value=args.scope)
        return 1
    period = inputs.month(args.month) if args.month else inputs.quarter(args.quarter)
    if period is None:
        _say(settings.locale, "bad_period", value=args.month or args.quarter)
        return 1
    db = await open_database(settings.db)
    try:
        if kind == "unit":
            units = {u.name: u.id for u in await people_store.units(db.read)}
            if value not in units:
                _say(settings.locale, "no_unit", value=value)
                return 1
            value = str(units[value])
        if kind == "programme" and value not in await programmes(db.read):
            _say(settings.locale, "no_programme", value=value)
            return 1
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
    _say(settings.locale, "wrote", paths=written)
    return 0


async def export(settings: Settings, policy: Policy, args: argparse.Namespace) -> int:
    month = getattr(args, "month", None)
    if month is not None and inputs.month(month) is None:
        _say(settings.locale, "bad_month", value=month)
        return 1
    db = await open_database(settings.db)
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
        _say(settings.locale, "cannot_write", path=args.file, reason=exc.strerror)
        return 1
    _say(settings.locale, "wrote", paths=[args.file])
    return 0
