"""Run briefings: what is due (run), one now (send --now). Each recipient is matched to an account
(by name, or by the account's address), recipients are grouped by what they read (data scope,
name rule, language) and each group is rendered once, one at a time; every delivery is tried
with backoff, and its outcome goes to the sent log and, for a failure, to the audit log."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from uniondash import clock
from uniondash.access import audit
from uniondash.access.accounts import Account, Accounts
from uniondash.briefings import channels, sentlog
from uniondash.briefings.config import Briefing, BriefingsFile
from uniondash.briefings.render import account_view, render, scope_key
from uniondash.briefings.schedule import latest_slot
from uniondash.config import Settings

BACKOFF_S = (5.0, 30.0)  # waits before the second and third attempt of one delivery
CLAIM_KIND = "briefings.send"


def this_node() -> str:
    """Who claims a slot's delivery: this machine and its accounts folder (stable across restarts,
    so a restarted scheduler may retry its own failures)."""
    import socket

    from uniondash.access.accounts import accounts_path

    return f"{socket.gethostname()}:{accounts_path().parent}"


@dataclass(frozen=True)
class Outcome:
    briefing: str
    slot: str | None
    recipient: str
    account: str
    status: str  # sent | failed | no_account | no_address
    detail: str = ""
    attempts: int = 0

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "no_address")


def find_account(accounts: Accounts, who: str) -> Account | None:
    """An account by name, or the one account whose address it is (case-insensitive)."""
    if who in accounts.users:
        return accounts.users[who]
    matches = [a for a in accounts.users.values() if a.email and a.email.lower() == who.lower()]
    return matches[0] if len(matches) == 1 else None


class Runner:
    def __init__(
        self,
        bfile: BriefingsFile,
        settings: Settings,
        accounts: Accounts,
        backoff: tuple[float, ...] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        echo: Callable[[str], None] = print,
        node: str = "",
    ) -> None:
        self.bfile, self.settings, self.accounts = bfile, settings, accounts
        self.backoff = BACKOFF_S if backoff is None else backoff
        self.sleep, self.echo = sleep, echo
        self.node = node or this_node()

    def now(self) -> dt.datetime:
        return clock.now(self.settings.timezone)

    def run_due(self) -> list[Outcome]:
        """Every enabled briefing's latest slot of the last 24 hours, to whoever has not had it."""
        out: list[Outcome] = []
        with sentlog.locked(self.bfile.lock_file):
            entries = sentlog.read(self.bfile.sent_log)
            now = self.now()
            for b in self.bfile.briefings:
                if not b.enabled:
                    continue
                slot = latest_slot(b.schedule, now, self.settings.timezone)
                if slot is None:
                    continue
                key = slot.isoformat()
                todo = tuple(who for who in sentlog.pending(entries, b.name, key, b.to) if self._claim(b, key, who))
                if todo:
                    out += self.deliver(b, key, todo)
        return out

    def _claim(self, b: Briefing, slot: str, who: str) -> bool:
        """A slot's delivery to one recipient, claimed in the shared state (access.sqlite, or
        PostgreSQL for replicas) before it is sent: with a scheduler on every node, exactly one
        node sends it (insert-if-absent); the claiming node may retry its own failures."""
        from uniondash.access.state import open_state

        if not self.accounts.path.exists():  # no accounts: nobody to send to, no store to claim in
            return True
        state = open_state(self.accounts.path.parent)
        key = f"{b.name}|{slot}|{who}"
        if state.add(CLAIM_KIND, key, {"node": self.node}):
            return True
        held = state.get(CLAIM_KIND, key) or {}
        return held.get("node") == self.node

    def send_now(self, name: str) -> list[Outcome]:
        """One briefing to all its recipients at once: not a slot (the schedule's slots stay due)."""
        b = self.bfile.get(name)
        with sentlog.locked(self.bfile.lock_file):
            return self.deliver(b, None, b.to)

    def deliver(self, b: Briefing, slot: str | None, recipients: tuple[str, ...]) -> list[Outcome]:
        from uniondash.ui.reads import data_fingerprint, get_warehouse, region_units

        outcomes: list[Outcome] = []
        snap = self.settings.snapshots_dir
        fp = data_fingerprint(snap)
        latest = get_warehouse(str(snap), fp).as_ofs[-1]
        regions = region_units(str(snap), fp, latest)  # to resolve a planner's assignment, as the sign-in gate does
        groups: dict[tuple, list[tuple[str, Account]]] = {}
        for who in recipients:
            account = find_account(self.accounts, who)
            if account is None:
                outcomes.append(self._log(b, slot, who, "", "no_account", "没有这个账号 / no such account"))
                continue
            if b.channel == "email" and not (account.email or "@" in who):
                outcomes.append(
                    self._log(b, slot, who, account.name, "no_address", "账号没有邮件地址 / the account has no email")
                )
                continue
            data_scope, names = scope_key(account, self.accounts, regions)
            groups.setdefault((data_scope, names, b.lang), []).append((who, account))
        query = urlsplit(b.view).query if b.view else ""
        for (data_scope, names, lang), members in groups.items():
            view = account_view(self.settings, data_scope, names, lang, query)
            formats = () if b.channel == "webhook" else b.formats
            try:
                rendered = render(b, view, formats)
            except Exception as exc:  # noqa: BLE001 - a broken render fails these deliveries, named, never the run
                for who, account in members:
                    outcomes.append(
                        self._log(b, slot, who, account.name, "failed", f"render: {type(exc).__name__}: {exc}")
                    )
                continue
            for who, account in members:
                outcomes.append(self._attempt(b, slot, who, account, rendered))
        return outcomes

    def _send_once(self, b: Briefing, who: str, account: Account, rendered) -> None:
        if b.channel == "email":
            to = account.email or who
            channels.send_email(self.bfile.smtp, channels.email_message(self.bfile.smtp, to, rendered, b.lang, b.link))
        elif b.channel == "webhook":
            channels.send_webhook(b, rendered.summary)
        else:
            channels.send_folder(b, rendered)

    def _attempt(self, b: Briefing, slot: str | None, who: str, account: Account, rendered) -> Outcome:
        error = ""
        for attempt in range(len(self.backoff) + 1):
            if attempt:
                self.sleep(self.backoff[attempt - 1])
            try:
                self._send_once(b, who, account, rendered)
            except (channels.DeliveryError, Exception) as exc:  # noqa: BLE001 - every failure is retried, then named
                error = str(exc) if isinstance(exc, channels.DeliveryError) else f"{type(exc).__name__}: {exc}"
                continue
            files = [name for name, _ in rendered.files.values()]
            return self._log(b, slot, who, account.name, "sent", ", ".join(files), attempt + 1)
        return self._log(b, slot, who, account.name, "failed", error, len(self.backoff) + 1)

    def _log(self, b: Briefing, slot, who: str, account: str, status: str, detail: str, attempts: int = 0) -> Outcome:
        sentlog.append(
            self.bfile.sent_log,
            briefing=b.name,
            slot=slot,
            recipient=who,
            account=account,
            channel=b.channel,
            status=status,
            detail=detail,
            attempts=attempts,
        )
        if self.accounts.path.exists():
            # each delivery, naming the briefing, its slot, the recipient and the channel
            action = "briefing-sent" if status == "sent" else "briefing-failed"
            audit.record(
                self.accounts.path,
                account or who,
                action,
                "",
                table=f"briefing:{b.name}",
                briefing=b.name,
                slot=slot,
                recipient=who,
                channel=b.channel,
                status=status,
                reason=detail if status != "sent" else "",
            )
        outcome = Outcome(b.name, slot, who, account, status, detail, attempts)
        self.echo(f"{b.name} {slot or 'now'} {who}: {status}" + (f" ({detail})" if detail else ""))
        return outcome
