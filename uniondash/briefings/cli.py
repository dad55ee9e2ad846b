"""python -m uniondash briefings run | send NAME --now | list.

run: send what is due (each briefing's latest slot of the last 24 hours, to whoever has not had it;
idempotent: a second run sends nothing); with --every SECONDS it keeps running (the scheduler that
`make serve` starts). send NAME --now: that briefing to all its recipients now (not a slot).
list: the subscriptions, their next slot, last delivery and last failure.
Exit status: 0; 1 when any delivery failed (named on standard error); 2 when the file or a
command is refused (the reason on standard error)."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from uniondash.errors import UserFacingError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m uniondash briefings", description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, default=None, help="the data folder (default: UNIONDASH_DATA or ./data)")
    p.add_argument(
        "--file", type=Path, default=None, help="briefings.toml (default: UNIONDASH_BRIEFINGS or beside the accounts)"
    )
    sub = p.add_subparsers(dest="verb", required=True)
    run = sub.add_parser("run", help="send what is due")
    run.add_argument("--every", type=float, default=0, help="keep running, checking every SECONDS (the scheduler)")
    send = sub.add_parser("send", help="send one briefing now")
    send.add_argument("name")
    send.add_argument("--now", action="store_true", required=True, help="send now (not a slot of its schedule)")
    sub.add_parser("list", help="the subscriptions")
    return p


def _context(args):
    from uniondash.access.accounts import load_accounts
    from uniondash.briefings.config import load_briefings
    from uniondash.config import load_settings

    settings = load_settings()
    if args.data:
        settings = replace(settings, data_dir=Path(args.data).resolve())
    return settings, load_accounts(), load_briefings(args.file, settings.timezone)


def _failed(outcomes) -> int:
    bad = [o for o in outcomes if o.failed]
    for o in bad:
        print(f"未送达 / not delivered: {o.briefing} → {o.recipient}: {o.detail}", file=sys.stderr)
    for o in outcomes:
        if o.status == "no_account":
            print(f"没有账号，未发送 / no account, nothing sent: {o.briefing} → {o.recipient}", file=sys.stderr)
    return 1 if bad else 0


def list_lines(bfile, settings) -> list[str]:
    from uniondash import clock
    from uniondash.briefings import sentlog
    from uniondash.briefings.schedule import next_slot

    entries = sentlog.read(bfile.sent_log)
    now = clock.now(settings.timezone)
    out = []
    for b in bfile.briefings:
        sent = sentlog.last(entries, b.name, ("sent",))
        failed = sentlog.last(entries, b.name, ("failed", "no_address"))
        what = f"deck={b.deck}" if b.deck else f"view={b.view}"
        out.append(
            "\t".join(
                [
                    b.name,
                    "on" if b.enabled else "off",
                    b.schedule,
                    next_slot(b.schedule, now, settings.timezone).isoformat(timespec="minutes") if b.enabled else "-",
                    b.channel,
                    ",".join(b.formats),
                    what,
                    ",".join(b.to),
                    f"last sent {sent['time']}" if sent else "never sent",
                    f"last failure {failed['time']} {failed['recipient']}: {failed['detail']}"
                    if failed
                    else "no failure",
                ]
            )
        )
    return out


# The slides are built by the app's own Streamlit-cached code outside a server: these loggers say
# "No runtime found" / "missing ScriptRunContext" at every cache, which tells a cron log nothing.
# A filter on the logger (Streamlit resets their levels when it makes them, not their filters).
QUIET_LOGGERS = (
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.caching.cache_resource_api",
    "streamlit.runtime.scriptrunner_utils.script_run_context",
)


def _errors_only(record) -> bool:
    import logging

    return record.levelno >= logging.ERROR


def _quiet_streamlit() -> None:
    import logging

    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if _errors_only not in logger.filters:
            logger.addFilter(_errors_only)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _quiet_streamlit()
    try:
        settings, accounts, bfile = _context(args)
        from uniondash.briefings.runner import Runner

        if args.verb == "list":
            print("\n".join(list_lines(bfile, settings)) or f"no briefings in {bfile.path}")
            return 0
        runner = Runner(bfile, settings, accounts)
        if args.verb == "send":
            return _failed(runner.send_now(args.name))
        while True:
            code = _failed(runner.run_due())
            if not args.every:
                return code
            time.sleep(args.every)
            settings, accounts, bfile = _context(args)  # the files may have changed meanwhile
            runner = Runner(bfile, settings, accounts)
    except UserFacingError as exc:
        print(str(exc), file=sys.stderr)
        return 2
