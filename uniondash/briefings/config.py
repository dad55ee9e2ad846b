"""briefings.toml: the subscriptions, read strictly (the file is the source: the app never writes
it, so its comments stay). Unknown keys, duplicate names and anything out of place are refused
naming the file and the line; [smtp] is needed only when some briefing sends e-mail.

    [smtp]                      # used by channel = "email"
    host = "mail.example.org"
    port = 587
    security = "starttls"       # starttls | ssl | none
    user = "dashboard@example.org"
    password_env = "UNIONDASH_SMTP_PASSWORD"
    sender = "工会数据看板 <dashboard@example.org>"

    [[briefing]]
    name = "weekly-leaders"     # [A-Za-z0-9-]{1,40}
    deck = "weekly"             # a saved deck; or view = "/?city=420100"
    to = ["wang", "li"]         # account names, or accounts' addresses
    schedule = "0 8 * * MON"    # cron (5 fields), in the region's time zone
    formats = ["pptx", "pdf"]
    channel = "email"           # email | webhook | folder
    lang = "zh"                 # zh | en
    enabled = true
    # channel = "webhook": webhook = "https://…", kind = "wecom" | "dingtalk", secret_env = "…",
    #                      base_url = "https://dashboard.example.org"
    # channel = "folder":  folder = "/srv/share/briefings"
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cronsim import CronSim, CronSimError

from uniondash import clock
from uniondash.access.accounts import accounts_path
from uniondash.errors import UserFacingError

ENV = "UNIONDASH_BRIEFINGS"
NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,40}$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
SMTP_KEYS = ("host", "port", "security", "user", "password_env", "sender")
SECURITY = ("starttls", "ssl", "none")
CHANNELS = ("email", "webhook", "folder")
KINDS = ("wecom", "dingtalk")
FORMATS = ("pptx", "pdf")
LANGS = ("zh", "en")
COMMON_KEYS = ("name", "deck", "view", "to", "schedule", "formats", "channel", "lang", "enabled", "base_url")
CHANNEL_KEYS = {"email": (), "webhook": ("webhook", "kind", "secret_env"), "folder": ("folder",)}
# The pages a view = "…" may name: the path decides the slides, as "add this view to the deck" does
VIEW_PAGES = {
    "/": "overview",
    "/coverage": "coverage",
    "/stations": "stations",
    "/competitions": "competitions",
    "/county": "county",
}


class BriefingsError(UserFacingError):
    pass


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    security: str
    user: str
    password_env: str
    sender: str

    def password(self) -> str:
        """The password, from the environment variable the file names ("" without a user)."""
        if not self.user:
            return ""
        value = os.environ.get(self.password_env, "") if self.password_env else ""
        if not value:
            raise BriefingsError(
                f"SMTP 密码未设置：请设置环境变量 {self.password_env or 'password_env'}。"
                f" / The SMTP password is not set: set the environment variable {self.password_env or 'password_env'}."
            )
        return value


@dataclass(frozen=True)
class Briefing:
    name: str
    to: tuple[str, ...]
    schedule: str
    formats: tuple[str, ...]
    channel: str
    deck: str = ""
    view: str = ""
    lang: str = "zh"
    enabled: bool = True
    webhook: str = ""
    kind: str = ""
    secret_env: str = ""
    base_url: str = ""
    folder: str = ""
    line: int = 0  # where its [[briefing]] starts in the file

    @property
    def link_path(self) -> str:
        """The dashboard path the briefing shows (the deck on /present, or the view itself)."""
        if self.deck:
            return f"/present?deck={self.deck}" + ("&lang=en" if self.lang == "en" else "")
        return self.view

    @property
    def link(self) -> str:
        return self.base_url.rstrip("/") + self.link_path if self.base_url else ""


@dataclass(frozen=True)
class BriefingsFile:
    path: Path
    smtp: Smtp | None
    briefings: tuple[Briefing, ...]

    def get(self, name: str) -> Briefing:
        for b in self.briefings:
            if b.name == name:
                return b
        known = ", ".join(b.name for b in self.briefings) or "—"
        raise BriefingsError(
            f"{self.path}：没有名为 “{name}” 的订阅（已有：{known}）。 / no briefing named '{name}' ({known})."
        )

    @property
    def sent_log(self) -> Path:
        return self.path.parent / "briefings-sent.jsonl"

    @property
    def lock_file(self) -> Path:
        return self.path.parent / "briefings.lock"


def briefings_path() -> Path:
    """UNIONDASH_BRIEFINGS, or briefings.toml beside the accounts file."""
    named = os.environ.get(ENV)
    return Path(named).resolve() if named else accounts_path().parent / "briefings.toml"


class _Lines:
    """Where tables and keys sit in the file's text (tomllib keeps no positions)."""

    HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.tables: list[tuple[str, int]] = []  # (header, 1-based line) in order
        for n, line in enumerate(self.lines, 1):
            m = self.HEADER.match(line)
            if m and not line.lstrip().startswith("#"):
                self.tables.append((m.group(2).strip().strip('"'), n))

    def table(self, header: str, nth: int = 0) -> int:
        found = [n for h, n in self.tables if h == header]
        return found[nth] if nth < len(found) else 0

    def key(self, header: str, nth: int, key: str) -> int:
        start = self.table(header, nth) if header else 0
        following = [n for _, n in self.tables if n > start]
        end = following[0] if following else len(self.lines) + 1
        pattern = re.compile(rf'^\s*(?:"{re.escape(key)}"|\'{re.escape(key)}\'|{re.escape(key)})\s*=')
        for n in range(start + 1, end):
            if pattern.match(self.lines[n - 1]):
                return n
        return start


def load_briefings(path: Path | None = None, tz: str = clock.REGION_TZ) -> BriefingsFile:
    """The subscriptions file; a missing file is no subscriptions. Anything wrong is refused."""
    path = Path(path or briefings_path())
    if not path.exists():
        return BriefingsFile(path, None, ())
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BriefingsError(f"{path}：无法读取 / cannot be read: {exc}") from None
    lines = _Lines(text)

    def fail(line: int, zh: str, en: str) -> BriefingsError:
        return BriefingsError(f"{path}，第 {line} 行：{zh} / {path}, line {line}: {en}")

    for key in raw:
        if key not in ("smtp", "briefing"):
            line = lines.table(key) or lines.key("", 0, key)
            raise fail(line, f"未知的键 “{key}”（可用：smtp、briefing）", f"unknown key '{key}' (smtp, briefing)")
    smtp = _smtp(raw["smtp"], lines, fail) if "smtp" in raw else None
    entries = raw.get("briefing", [])
    if not isinstance(entries, list):
        raise fail(
            lines.key("", 0, "briefing"), "briefing 应为 [[briefing]] 表", "briefing must be [[briefing]] tables"
        )
    briefings: list[Briefing] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        b = _briefing(i, entry, lines, fail, tz)
        if b.name in seen:
            line = lines.key("briefing", i, "name")
            raise fail(
                line,
                f"订阅名称 “{b.name}” 重复（第 {seen[b.name]} 行已有）",
                f"duplicate briefing name '{b.name}' (already at line {seen[b.name]})",
            )
        seen[b.name] = lines.key("briefing", i, "name")
        if b.channel == "email" and smtp is None:
            raise fail(b.line, 'channel = "email" 需要 [smtp] 表', 'channel = "email" needs an [smtp] table')
        briefings.append(b)
    return BriefingsFile(path, smtp, tuple(briefings))


def _smtp(raw, lines: _Lines, fail) -> Smtp:
    start = lines.table("smtp")
    if not isinstance(raw, dict):
        raise fail(start, "smtp 应为表", "smtp must be a table")

    def at(key: str) -> int:
        return lines.key("smtp", 0, key)

    for key in raw:
        if key not in SMTP_KEYS:
            raise fail(at(key), f"[smtp] 中未知的键 “{key}”", f"unknown key '{key}' in [smtp]")
    for key in ("host", "sender"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise fail(at(key) or start, f"[smtp] 需要 {key}（文本）", f"[smtp] needs {key} (text)")
    port = raw.get("port", 587)
    if type(port) is not int or not 0 < port < 65536:
        raise fail(
            at("port"), f"port 应为 1–65535 的整数：{port!r:.20}", f"port must be an integer 1-65535: {port!r:.20}"
        )
    security = raw.get("security", "starttls")
    if security not in SECURITY:
        raise fail(at("security"), f"security 应为 {'|'.join(SECURITY)}", f"security must be {'|'.join(SECURITY)}")
    user, password_env = raw.get("user", ""), raw.get("password_env", "")
    if not isinstance(user, str):
        raise fail(at("user"), "user 应为文本", "user must be text")
    if password_env and (not isinstance(password_env, str) or not ENV_NAME_RE.match(password_env)):
        raise fail(
            at("password_env"), "password_env 应为环境变量名", "password_env must be an environment variable name"
        )
    if user and not password_env:
        raise fail(
            at("user"),
            "设置了 user 时需要 password_env",
            "user needs password_env (the password is read from the environment)",
        )
    return Smtp(raw["host"].strip(), port, security, user, password_env, raw["sender"].strip())


def _briefing(i: int, raw, lines: _Lines, fail, tz: str) -> Briefing:
    start = lines.table("briefing", i)
    if not isinstance(raw, dict):
        raise fail(start, "[[briefing]] 应为表", "[[briefing]] must be a table")

    def at(key: str) -> int:
        return lines.key("briefing", i, key) or start

    channel = raw.get("channel")
    if channel not in CHANNELS:
        raise fail(at("channel"), f"channel 应为 {'|'.join(CHANNELS)}", f"channel must be {'|'.join(CHANNELS)}")
    _check_keys(raw, channel, at, fail)
    name = raw.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise fail(at("name"), "name 应为 1–40 个字母、数字或“-”", "name must be 1-40 letters, digits or '-'")
    fields = dict(name=name, channel=channel, line=start, **_what(raw, at, fail, start))
    fields |= dict(to=_to(raw, channel, at, fail), schedule=_schedule(raw, at, fail, tz), **_options(raw, at, fail))
    if channel == "webhook":
        fields |= _webhook(raw, at, fail, start, fields["base_url"])
    if channel == "folder":
        folder = raw.get("folder", "")
        if not isinstance(folder, str) or not Path(folder).is_absolute():
            raise fail(at("folder"), "folder 应为绝对路径", "folder must be an absolute path")
        fields["folder"] = folder
    return Briefing(**fields)


def _check_keys(raw: dict, channel: str, at, fail) -> None:
    for key in raw:
        if key in COMMON_KEYS or key in CHANNEL_KEYS[channel]:
            continue
        other = [c for c, keys in CHANNEL_KEYS.items() if key in keys]
        if other:
            raise fail(at(key), f'{key} 只用于 channel = "{other[0]}"', f'{key} is only for channel = "{other[0]}"')
        raise fail(at(key), f"[[briefing]] 中未知的键 “{key}”", f"unknown key '{key}' in [[briefing]]")


def _what(raw: dict, at, fail, start: int) -> dict:
    deck, view = raw.get("deck", ""), raw.get("view", "")
    if bool(deck) == bool(view):
        raise fail(start, "deck 和 view 须且只须有一个", "give exactly one of deck and view")
    if deck and (not isinstance(deck, str) or not NAME_RE.match(deck)):
        raise fail(at("deck"), "deck 应为议程名称", "deck must be a saved deck's name")
    if view and (not isinstance(view, str) or urlsplit(view).path not in VIEW_PAGES or urlsplit(view).netloc):
        pages = ", ".join(VIEW_PAGES)
        raise fail(
            at("view"),
            f"view 应为页面地址，如 /?city=420100（{pages}）",
            f"view must be a page's path such as /?city=420100 ({pages})",
        )
    return {"deck": deck, "view": view}


def _to(raw: dict, channel: str, at, fail) -> tuple[str, ...]:
    to = raw.get("to")
    if not isinstance(to, list) or not to or not all(isinstance(x, str) and x.strip() for x in to):
        raise fail(at("to"), "to 应为账号名或地址的列表", "to must be a list of account names or addresses")
    if channel in ("webhook", "folder") and len(to) != 1:
        raise fail(
            at("to"),
            f'channel = "{channel}" 的 to 只能有一个账号（按其范围生成）',
            f'channel = "{channel}" names exactly one account in to (its scope is rendered)',
        )
    if len(set(to)) != len(to):
        raise fail(at("to"), "to 中有重复", "to lists someone twice")
    return tuple(x.strip() for x in to)


def _schedule(raw: dict, at, fail, tz: str) -> str:
    schedule = raw.get("schedule")
    if not isinstance(schedule, str) or len(schedule.split()) != 5:
        raise fail(at("schedule"), "schedule 应为 5 段 cron 表达式", "schedule must be a 5-field cron expression")
    try:
        CronSim(schedule, clock.now(tz))
    except CronSimError as exc:
        raise fail(at("schedule"), f"schedule 无效：{exc}", f"invalid schedule: {exc}") from None
    return schedule


def _options(raw: dict, at, fail) -> dict:
    formats = raw.get("formats", ["pptx", "pdf"])
    if not isinstance(formats, list) or not formats or not set(formats) <= set(FORMATS):
        raise fail(at("formats"), f"formats 应为 {FORMATS} 中的一个或两个", f"formats must be one or both of {FORMATS}")
    if len(set(formats)) != len(formats):
        raise fail(at("formats"), "formats 中有重复", "formats lists a format twice")
    lang = raw.get("lang", "zh")
    if lang not in LANGS:
        raise fail(at("lang"), "lang 应为 zh 或 en", "lang must be zh or en")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise fail(at("enabled"), "enabled 应为 true 或 false", "enabled must be true or false")
    base_url = raw.get("base_url", "")
    if base_url and (not isinstance(base_url, str) or urlsplit(base_url).scheme not in ("http", "https")):
        raise fail(at("base_url"), "base_url 应为 http(s) 地址", "base_url must be an http(s) address")
    return {"formats": tuple(formats), "lang": lang, "enabled": enabled, "base_url": base_url}


def _webhook(raw: dict, at, fail, start: int, base_url: str) -> dict:
    hook, kind, secret_env = raw.get("webhook", ""), raw.get("kind", ""), raw.get("secret_env", "")
    if not isinstance(hook, str) or urlsplit(hook).scheme not in ("http", "https"):
        raise fail(at("webhook"), "webhook 应为机器人的 http(s) 地址", "webhook must be the robot's http(s) address")
    if kind not in KINDS:
        raise fail(at("kind"), "kind 应为 wecom 或 dingtalk", "kind must be wecom or dingtalk")
    if secret_env and (not isinstance(secret_env, str) or not ENV_NAME_RE.match(secret_env)):
        raise fail(at("secret_env"), "secret_env 应为环境变量名", "secret_env must be an environment variable name")
    if not base_url:
        raise fail(
            start, "webhook 订阅需要 base_url（消息中的链接）", "a webhook briefing needs base_url (for its link)"
        )
    return {"webhook": hook, "kind": kind, "secret_env": secret_env}
