"""AppTest per role: a planner of 甲一区 (990101) sees only its figures on every page whatever the
URL says; leaders see everything and names; sign-in, rate limit, single sign-on, demo mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from uniondash.access.accounts import Account, Accounts, hash_password, load_accounts, save_accounts
from uniondash.access.data_scope import SessionAccess
from uniondash.access.gate import account_identity
from uniondash.access.sessions import Store

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse 1"
PAGES = ["overview.py", "stations.py", "competitions.py", "coverage.py", "county.py"]
OTHER = ("乙一县", "990201", "甲二县", "990102")  # the other counties' names and codes


@pytest.fixture
def accounts(tmp_path, monkeypatch, fixture_dir) -> Accounts:
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "users.toml"))
    monkeypatch.delenv("UNIONDASH_SHOW_NAMES", raising=False)
    monkeypatch.delenv("UNIONDASH_PUBLIC", raising=False)
    hashed = hash_password(PASSWORD)
    acc = Accounts(tmp_path / "users.toml")
    acc.users = {
        "lead": Account("lead", "leader", (), hashed),
        "pa": Account("pa", "planner", ("990101",), hashed),
        "adm": Account("adm", "admin", (), hashed),
        "chen@example.org": Account("chen@example.org", "planner", ("990101",)),
    }
    save_accounts(acc)
    return load_accounts()


def app(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def signed_in(accounts: Accounts, name: str, **params) -> AppTest:
    """A session signed in with a local account (what the sign-in form leaves in session state)."""
    at = app(**params)
    sid = Store(accounts.folder).create(name, "local")
    identity = account_identity(accounts.users[name], accounts, "local", sid)
    at.session_state["_access"] = SessionAccess(identity, None, identity.sees_names)
    return at.run()


def page_text(at: AppTest) -> str:
    """Everything the page shows as figures: metrics, markdown, captions, tables, titles (not the
    warning that names the link's out-of-scope county)."""
    parts = [m.label + " " + m.value for m in at.metric]
    parts += [e.value for e in (*at.markdown, *at.caption, *at.title, *at.subheader, *at.info)]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    return "\n".join(str(p) for p in parts)


def metric(at: AppTest, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


@pytest.mark.parametrize("page", PAGES)
def test_planner_opening_another_county_sees_none_of_its_figures(accounts, page):
    at = signed_in(accounts, "pa", county="990201")
    assert [w.value for w in at.warning] == ["链接中的 乙一县 不在您的查看范围内，未予显示；当前显示您的范围：甲一区。"]
    at.switch_page(f"app_pages/{page}").run()
    assert not at.exception
    text = page_text(at)
    for other in OTHER:
        assert other not in text, f"{page} shows {other}"


def test_planner_totals_equal_duckdb_restricted_to_the_county(accounts, fixture_wh):
    at = signed_in(accounts, "pa", county="990201")
    assert not at.exception
    con = fixture_wh.con
    stations = con.execute(
        "select count(*) from stations where as_of = '2023-12-31' and adcode = '990101' and status <> 'closed'"
    ).fetchone()[0]
    unionised, units = con.execute(
        "select sum(legal_units_unionised), sum(legal_units) from coverage"
        " where as_of = '2023-12-31' and adcode = '990101'"
    ).fetchone()
    assert metric(at, "服务职工站点") == str(stations) == "2"  # S1, S2
    assert metric(at, "工会组建率") == f"{unionised / units:.1%}" == "90.0%"
    assert at.multiselect[1].options == ["甲一区"]  # the county picker lists the planner's unit only
    assert at.multiselect[0].options == []  # no city of theirs


def test_planner_county_profile_ranks_among_all_without_other_figures(accounts):
    at = signed_in(accounts, "pa", county="990101")
    at.switch_page("app_pages/county.py").run()
    assert not at.exception
    kpis = at.dataframe[0].value.set_index("指标")
    assert kpis.loc["工会组建率", "数值"] == "90.0%"
    assert kpis.loc["工会组建率", "全区排名"] == "1 / 3"  # the named exception: rank among all three
    assert kpis.loc["工会组建率", "全区"] == "—"  # the region's figure sums counties they may not read


def test_planner_search_finds_no_masked_name(accounts):
    real = signed_in(accounts, "pa", year="0", who="张三")
    real.switch_page("app_pages/competitions.py").run()
    made_up = signed_in(accounts, "pa", year="0", who="王五")
    made_up.switch_page("app_pages/competitions.py").run()
    assert not real.exception
    assert not made_up.exception
    assert real.dataframe[-1].value.equals(made_up.dataframe[-1].value)
    everything = signed_in(accounts, "pa", year="0")
    everything.switch_page("app_pages/competitions.py").run()
    assert list(everything.dataframe[-1].value["获奖者"]) == ["张*"]  # R1 is 甲一区's, masked for planners


def test_leader_sees_every_county_and_names(accounts):
    at = signed_in(accounts, "lead", year="0", who="张三")
    at.switch_page("app_pages/competitions.py").run()
    assert not at.exception
    assert list(at.dataframe[-1].value["获奖者"]) == ["张三"]  # names shown, so searched
    overview = signed_in(accounts, "lead")
    assert metric(overview, "服务职工站点") == "5"


def test_without_a_session_every_page_asks_to_sign_in(accounts):
    at = app(county="990101").run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not at.metric
    assert not at.dataframe


def sign_in(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def test_sign_in_form_then_the_view_the_url_asked_for(accounts):
    at = app(county="990201", lang="en").run()
    at = sign_in(at, "lead", PASSWORD)
    assert not at.exception
    assert metric(at, "Worker service stations") == "1"  # 乙一县: S5
    log = (accounts.folder / "audit.jsonl").read_text(encoding="utf-8")
    assert '"action": "sign-in"' in log
    assert '"user": "lead"' in log


def test_wrong_passwords_are_rate_limited_per_user(accounts):
    at = app().run()
    for _ in range(5):
        at = sign_in(at, "pa", "wrong password")
        assert "用户名或密码不正确" in at.error[0].value
    at = sign_in(at, "pa", PASSWORD)  # even the right password waits now
    assert "登录失败次数过多" in at.error[0].value
    assert not at.metric
    actions = [line for line in (accounts.folder / "audit.jsonl").read_text().splitlines()]
    assert sum('"failure"' in a for a in actions) == 5
    assert any('"locked"' in a for a in actions)


def test_idle_session_expires(accounts, monkeypatch):
    at = signed_in(accounts, "lead")
    assert at.metric
    monkeypatch.setenv("UNIONDASH_IDLE_MINUTES", "0")
    at.run()
    assert "会话已过期" in at.info[0].value
    assert not at.metric


def test_sign_out(accounts):
    at = signed_in(accounts, "lead")
    at.button(key="signout").click().run()
    assert not at.exception
    assert "已退出登录" in at.info[0].value
    assert [t.label for t in at.text_input] == ["用户名", "密码"]


def test_single_sign_on_user_gets_the_role_of_their_email(accounts):
    at = app(county="990201")
    at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x" * 32}
    at.user = {"is_logged_in": True, "email": "chen@example.org", "sub": "s-1", "iat": 1}
    at.run()
    assert not at.exception
    assert metric(at, "服务职工站点") == "2"  # a planner of 990101, whatever the link said
    stranger = app()
    stranger.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x" * 32}
    stranger.user = {"is_logged_in": True, "email": "nobody@example.org", "sub": "s-2", "iat": 1}
    stranger.run()
    assert "未在看板中分配角色" in stranger.error[0].value
    assert not stranger.metric


def test_demo_mode_is_admin_on_loopback_and_read_only_when_public(tmp_path, monkeypatch, fixture_dir):
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "none.toml"))
    monkeypatch.delenv("UNIONDASH_SHOW_NAMES", raising=False)
    # AppTest has no client connection (its address is a mock, which counts as not loopback)
    monkeypatch.setattr("uniondash.ui.signin.current_address", lambda: "127.0.0.1")
    at = app().run()
    assert any("按管理员身份" in w.value for w in at.sidebar.warning)
    monkeypatch.setenv("UNIONDASH_PUBLIC", "1")
    public = app(year="0", lang="en")
    public.run()
    public.switch_page("app_pages/competitions.py").run()
    assert any("read-only" in w.value for w in public.sidebar.warning)
    assert list(public.dataframe[-1].value["Winner"]).count("张*") == 1
    assert not (tmp_path / "access.sqlite").exists()  # demo mode writes nothing beside the accounts file
