"""The `liaisonbot` command. Settings errors end with one line and exit code 2."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.domain.errors import ConfigError
from bot.services.permissions import GRANTABLE

DESCRIPTION = """LiaisonBot 项目联络调度机器人 — runs a county's key-project rules on Telegram:
liaison officers (联络员) report progress, raise blocking issues (受阻问题), leaders get alerts.
Settings come from LIAISONBOT_* environment variables or a .env file (see README)."""


ROLES = [role.value for role in GRANTABLE]  # administrators come from LIAISONBOT_ADMIN_IDS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="liaisonbot", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run the bot against Telegram (needs LIAISONBOT_TOKEN)",
                         description="Run the bot: poll updates (or serve the webhook), handle them, deliver "
                                     "the outbox.")
    run.add_argument("--webhook", action="store_true",
                     help="serve Telegram's webhook instead of polling (LIAISONBOT_WEBHOOK_URL, _SECRET, _LISTEN)")
    demo = sub.add_parser("demo", help="play a scripted scene against the local Bot API sandbox (no token)",
                          description="Start the local sandbox and the real bot against it, load a sample "
                                      "county (青山县, 30 projects) and print the chats of a short scene.")
    demo.add_argument("--dashboard", nargs="?", const="127.0.0.1:8088", metavar="HOST:PORT",
                      help="then serve 领导驾驶舱 there (default 127.0.0.1:8088) and print a link to the demo "
                           "leader's dashboard; runs until Ctrl-C")
    imp = sub.add_parser("import", help="import projects (项目) from an .xlsx or .csv sheet")
    imp_sub = imp.add_subparsers(dest="what", required=True, metavar="WHAT")
    projects = imp_sub.add_parser("projects", help="import or update projects by 项目编号",
                                  description="Import projects by 项目编号 (code). Any invalid row "
                                              "means nothing is imported unless --skip-invalid.")
    projects.add_argument("file", type=Path,
                          help=".xlsx (with an optional 节点 milestone sheet) or .csv (UTF-8 or GB18030)")
    projects.add_argument("--skip-invalid", action="store_true", help="import the valid rows, report the others")
    projects.add_argument("--lang", choices=["zh", "en"], help="language of the report (default: LIAISONBOT_LOCALE)")
    tpl = sub.add_parser("template", help="write an empty import template")
    tpl_sub = tpl.add_subparsers(dest="what", required=True, metavar="WHAT")
    tpl_projects = tpl_sub.add_parser("projects", help="the project sheet with Chinese headers and a 节点 sheet")
    tpl_projects.add_argument("file", type=Path, help="where to write the .xlsx")
    inv = sub.add_parser("invite", help="create a one-time invite (邀请) link for a person",
                         description="Create a single-use invite code (valid 7 days by default) "
                                     "and print its deep link.")
    inv.add_argument("--name", required=True, help="the person's name (姓名)")
    inv.add_argument("--role", required=True, choices=ROLES,
                     help="leader 包联领导, unit_head 单位负责人, liaison 联络员, member 责任单位人员"
                          " (administrators are LIAISONBOT_ADMIN_IDS)")
    inv.add_argument("--project", help="项目编号: makes a liaison or leader that project's own")
    inv.add_argument("--unit", help="the person's unit (单位), created if new")
    person = sub.add_parser("person", help="show a person, or change their roles and account (recorded)")
    person_sub = person.add_subparsers(dest="what", required=True, metavar="WHAT")
    for name, text in (("show", "roles, account, open work and the record of changes"),
                       ("revoke", "take one role away"), ("role", "make this their only role"),
                       ("unlink", "unlink their Telegram account (a new invite can link one)"),
                       ("deactivate", "they left: every role taken, the account unlinked, open work listed")):
        action = person_sub.add_parser(name, help=text)
        action.add_argument("name", help="姓名, or #id where names are shared")
        if name in ("revoke", "role"):
            action.add_argument("role", choices=ROLES)
    project = sub.add_parser("project", help="take a project off the county's list (调出) or put it back (调入)")
    project_sub = project.add_subparsers(dest="what", required=True, metavar="WHAT")
    for name, text in (("out", "调出: it leaves bulletins, rankings and reminders; its history stays"),
                       ("in", "调入: back on the list")):
        change = project_sub.add_parser(name, help=text)
        change.add_argument("code", help="项目编号")
        change.add_argument("--reason", required=True, help="why (原因), recorded with the date")
    jobs = sub.add_parser("jobs", help="list the scheduled jobs, or run one for an explicit instant")
    jobs_sub = jobs.add_subparsers(dest="what", required=True, metavar="WHAT")
    jobs_sub.add_parser("list", help="name, schedule, last run, next run")
    run_one = jobs_sub.add_parser("run", help="run a job as if at --at (once per period: a second run sends nothing)")
    run_one.add_argument("name", help="the job's name, as `jobs list` shows it")
    run_one.add_argument("--at", required=True,
                         help="the instant, e.g. 2026-12-01T09:00 (LIAISONBOT_TIMEZONE unless it has an offset)")
    run_one.add_argument("--dry-run", action="store_true", help="print what would be sent; change nothing")
    bulletin = sub.add_parser("bulletin", help="write the monthly bulletin (投资快讯) or the quarterly analysis "
                                               "(季度分析) to files, without sending")
    period = bulletin.add_mutually_exclusive_group(required=True)
    period.add_argument("--month", help="the monthly bulletin of this month, e.g. 2026-10 (text and chart.png)")
    period.add_argument("--quarter", help="the quarterly analysis of this quarter, e.g. 2026-Q3 (text)")
    bulletin.add_argument("--scope", default="all",
                          help="all, unit:NAME, tier:key|annual|reserve, level:province|city|county or programme:NAME")
    bulletin.add_argument("--preview", required=True, type=Path, help="the folder to write the files into")
    export = sub.add_parser("export", help="write a ledger (台账) as an Excel workbook")
    export_sub = export.add_subparsers(dest="what", required=True, metavar="WHAT")
    for name, text in (("progress", "进度台账: one row per project for --month "
                                    "(plan, year to date, rate, flag, progress)"),
                       ("issues", "问题台账: every issue with its five fields, days open and history"),
                       ("bulletin", "the monthly bulletin's figures for --month (summary, ranking, flags, missing)")):
        ledger = export_sub.add_parser(name, help=text)
        if name != "issues":
            ledger.add_argument("--month", required=True, help="the month, e.g. 2026-10")
        ledger.add_argument("file", type=Path, help="the .xlsx to write")
    sub.add_parser("migrate", help="apply pending database migrations",
                   description="Apply the numbered migrations not yet recorded (also done at start-up).")
    backup = sub.add_parser("backup", help="copy the database safely, even while the bot runs (SQLite)")
    backup.add_argument("file", type=Path, help="the backup file to write")
    copy = sub.add_parser("copy-db", help="copy a SQLite database into a new PostgreSQL one, counts checked",
                          description="Copy every table of a SQLite file into an empty database (a postgresql:// "
                                      "address), in one transaction, then compare each table's rows on both sides.")
    copy.add_argument("source", help="the SQLite file")
    copy.add_argument("target", help="postgresql://user@host/name (or another SQLite file)")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    quiet = args.command in ("demo", "template", "import", "invite", "person", "project", "jobs", "bulletin",
                             "export")
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code = asyncio.run(_dispatch(args))
    except ConfigError as exc:
        print(f"liaisonbot: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        code = 130
    sys.exit(code or 0)


async def _dispatch(args: argparse.Namespace) -> int:
    from bot.cli import commands  # the subcommands import the whole bot; --help stays fast

    if args.command == "demo":
        return await commands.demo(args.dashboard)
    import messages
    from bot.domain.policy import load_policy
    from bot.domain.settings import load_settings

    settings = load_settings()
    policy = load_policy(settings.policy)
    messages.set_timezone(settings.timezone)
    messages.use_policy(policy)
    if args.command == "run":
        settings.token_value()
        return await commands.run(settings, policy, webhook=args.webhook)
    if args.command == "template":
        return commands.template(settings, args.file)
    handler = {"import": commands.import_projects, "invite": commands.invite, "person": commands.person,
               "project": commands.project,
               "jobs": commands.jobs,
               "bulletin": commands.bulletin, "export": commands.export,
               "migrate": commands.migrate, "backup": commands.backup, "copy-db": commands.copy_db}[args.command]
    return await handler(settings, policy, args)

