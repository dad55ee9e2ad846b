"""python -m uniondash round open|status|template|submit|review|accept|return|publish|close.

The admin's tool, run on the server. `--as USER` acts for that filler (their scope; the audit log
records the action as theirs); a password on standard input is never read. Exit status: 0 done,
1 a submission refused (every problem on stderr, naming file, row, column and header), 2 a command
that cannot be done (no open round, a wrong option, publishing with units missing without --yes)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from uniondash.config import load_settings
from uniondash.errors import UserFacingError

ADMIN = "cli"  # who the audit log names for the admin's own commands on the server


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m uniondash round", description="数据填报轮次 / collection rounds")
    p.add_argument("--data", help="data folder (default ./data or $UNIONDASH_DATA)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    sub = p.add_subparsers(dest="verb", required=True)
    o = sub.add_parser("open", help="open a round (one at a time; its id is its as-of)")
    o.add_argument("--as-of", required=True)
    o.add_argument("--tables", required=True, help="stations,coverage,nef_membership (any of them)")
    o.add_argument("--due", required=True)
    o.add_argument("--note", default="")
    s = sub.add_parser("status", help="one line per unit")
    s.add_argument("--csv", action="store_true", help="unit,name,state,overdue,submitted_at,by,rows")
    tp = sub.add_parser("template", help="a filler's prefilled workbooks")
    tp.add_argument("--as", dest="user", required=True)
    tp.add_argument("--out", required=True)
    sb = sub.add_parser("submit", help="submit files for a filler")
    sb.add_argument("files", nargs="+")
    sb.add_argument("--as", dest="user", required=True)
    for verb in ("review", "accept"):
        sub.add_parser(verb).add_argument("unit")
    r = sub.add_parser("return")
    r.add_argument("unit")
    r.add_argument("--reason", required=True)
    pb = sub.add_parser("publish", help="one new snapshot (units missing: --yes)")
    pb.add_argument("--yes", action="store_true")
    sub.add_parser("close")
    return p


def _filler(name: str):
    from uniondash.access.accounts import load_accounts
    from uniondash.access.roles import may_submit
    from uniondash.data.rounds.model import RoundError, bilingual

    accounts = load_accounts()
    account = accounts.users.get(name)
    if account is None:
        raise RoundError(bilingual(f"账号 {name} 不存在（{accounts.path}）", f"no account {name} in {accounts.path}"))
    if not may_submit(account.role):
        raise RoundError(
            bilingual(
                f"账号 {name} 的角色是 {account.role}，只有 filler 可以填报",
                f"{name} is a {account.role}: only fillers submit",
            )
        )
    return account, accounts.path


def _region(store, settings) -> str:
    return store.base().manifest.get("region_adcode") or settings.region_adcode


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = load_settings()
    try:
        return _run(args, settings)
    except UserFacingError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2


def _run(args, settings) -> int:
    from uniondash.data import rounds as R

    store = R.RoundStore(Path(args.data) if args.data else settings.data_dir, settings.timezone)
    return VERBS[args.verb](args, settings, store)


def _open(args, settings, store) -> int:
    from uniondash.data import rounds as R

    rnd = R.open_round(store, args.as_of, args.tables.split(","), args.due, args.note, ADMIN)
    print(f"轮次 round {rnd.id} opened: tables={','.join(rnd.tables)} due={rnd.due}")
    return 0


def _status(args, settings, store) -> int:
    from uniondash.data import rounds as R
    from uniondash.data.rounds import cli_print

    rnd = store.open_round()
    if rnd is None:  # nothing to list is not a failure: the header alone, and why on stderr
        print("没有正在进行的填报轮次 / no collection round is open", file=sys.stderr)
        if args.csv:
            cli_print.status_header()
        return 0
    cli_print.status(R.status(store, rnd), rnd, csv=args.csv, lang=args.lang)
    return 0


def _template(args, settings, store) -> int:
    from uniondash.data.rounds.workbook import write_prefilled

    account, _ = _filler(args.user)
    for path in write_prefilled(store, store.current(), account.scope, Path(args.out)):
        print(f"写入 wrote {path}")
    return 0


def _submit(args, settings, store) -> int:
    from uniondash.data import rounds as R
    from uniondash.data.importer import SourceFile

    account, accounts_file = _filler(args.user)
    files = [SourceFile(Path(f).name, Path(f)) for f in args.files]
    region = _region(store, settings)
    result = R.submit(store, files, account.name, account.scope, region, settings.import_max_mb, accounts_file)
    for p in result.problems + result.warnings:  # warnings on stderr too, and never a failure
        print(p.line(args.lang), file=sys.stderr)
    for unit in result.units:
        rows = ", ".join(f"{t}={n}" for t, n in result.rows[unit].items())
        print(f"已提交 submitted {unit} {result.versions[unit]} ({rows})")
    return 0 if result.ok and not result.problems else 1


def _review(args, settings, store) -> int:
    from uniondash.data.rounds import cli_print

    cli_print.review(store, args.unit, args.lang)
    return 0


def _accept(args, settings, store) -> int:
    from uniondash.data import rounds as R

    state = R.accept(store, args.unit, ADMIN)
    print(f"已接收 accepted {args.unit} {state.accepted_version} (new station ids: {len(state.new_ids)})")
    return 0


def _return(args, settings, store) -> int:
    from uniondash.data import rounds as R

    R.return_unit(store, args.unit, args.reason, ADMIN)
    print(f"已退回 returned {args.unit}: {args.reason}")
    return 0


def _publish(args, settings, store) -> int:
    from uniondash.data import rounds as R

    result = R.publish(store, ADMIN, _region(store, settings), yes=args.yes)
    if result.needs_confirmation:
        n = len(result.missing)
        print(
            f"未发布：{n} 个单位没有已接收的提交，将沿用最新快照的数据；确认请加 --yes。"
            f" / Not published: {n} units have no accepted submission and would be carried; pass --yes.",
            file=sys.stderr,
        )
        return 2
    word = "已发布过 already published" if result.already else "已发布 published"
    print(f"{word} {result.path} (carried units: {len(result.missing)})")
    return 0


def _close(args, settings, store) -> int:
    from uniondash.data import rounds as R

    rnd = R.close_round(store, ADMIN)
    print(f"已关闭 closed round {rnd.id}")
    return 0


VERBS = {
    "open": _open,
    "status": _status,
    "template": _template,
    "submit": _submit,
    "review": _review,
    "accept": _accept,
    "return": _return,
    "publish": _publish,
    "close": _close,
}
