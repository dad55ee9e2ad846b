"""Sign-in in the system Chromium against serve.py (Streamlit's App with the cookie routes): local
accounts (sign in with Enter, reload, new tab, copied link, deep link into another county, sign
out, rate limit, a refused page) and single sign-on against a local OIDC provider."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from browser import exceptions, require_chromium, streamlit_server, wait_until_drawn

from uniondash.access.accounts import Account, Accounts, hash_password, save_accounts

pytestmark = pytest.mark.browser
PASSWORD = "correct horse 1"


def write_accounts(folder) -> str:
    hashed = hash_password(PASSWORD)
    acc = Accounts(folder / "users.toml")
    acc.users = {
        "pa": Account("pa", "planner", ("990101",), hashed),
        "lead": Account("lead", "leader", (), hashed),
        "victim": Account("victim", "leader", (), hashed),
        "hall": Account("hall", "leader", (), hashed, kiosk=True),  # a wall screen
        "chen@example.org": Account("chen@example.org", "planner", ("990101",)),
    }
    save_accounts(acc)
    return str(acc.path)


@pytest.fixture(scope="module")
def accounts_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("accounts")


@pytest.fixture(scope="module")
def server(fixture_dir, accounts_dir):
    require_chromium()
    env = {"UNIONDASH_USERS": write_accounts(accounts_dir), "UNIONDASH_COOKIE_SECRET": "t" * 40}
    with streamlit_server(fixture_dir, script="serve.py", extra_env=env) as (url, _proc):
        yield url


def main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def sign_in_with_enter(page, user: str, password: str, expect: str, labels=("用户名", "密码")) -> None:
    """Type into the form, press Enter in the password field, wait for `expect` to be shown."""
    page.get_by_label(labels[0]).fill(user)
    page.get_by_label(labels[1], exact=True).fill(password)
    page.get_by_label(labels[1], exact=True).press("Enter")
    # the form clears on submit: wait for that, then for the answer
    page.wait_for_function(
        "() => { const i = document.querySelector('input[type=password]'); return !i || i.value === ''; }"
    )
    page.get_by_text(expect).first.wait_for(timeout=30_000)
    wait_until_drawn(page)


def session_cookie(context):
    return next((c for c in context.cookies() if c["name"] == "uniondash_session"), None)


def test_local_account_deep_link_reload_new_tab_sign_out(server, chromium, artifacts):
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{server}/county?county=990201")  # a planner of 甲一区 follows a link to 乙一县
    wait_until_drawn(page)
    assert "登录" in main_text(page)
    assert "乙一县" not in main_text(page)
    page.screenshot(path=str(artifacts / "access-signin.png"))
    sign_in_with_enter(page, "pa", PASSWORD, "县域概况：甲一区")
    assert exceptions(page) == []
    text = main_text(page)
    assert "县域概况：甲一区" in text
    assert "链接中的 乙一县 不在您的查看范围内" in text
    for _ in range(50):  # the page posts its one-time ticket; the response sets the cookie
        if session_cookie(context):
            break
        page.wait_for_timeout(100)
    cookie = session_cookie(context)
    assert cookie["httpOnly"]
    assert cookie["sameSite"] == "Strict"
    page.screenshot(path=str(artifacts / "access-planner-deep-link.png"), full_page=True)

    page.reload()
    wait_until_drawn(page)
    assert "县域概况：甲一区" in main_text(page)  # the cookie signed the new session in
    tab = context.new_page()
    tab.goto(f"{server}/coverage")
    wait_until_drawn(tab)
    assert "已登录：pa" in tab.inner_text('[data-testid="stSidebar"]')
    assert "乙一县" not in main_text(tab)
    copied = context.new_page()
    copied.goto(page.url)
    wait_until_drawn(copied)
    assert "县域概况：甲一区" in main_text(copied)
    copied.close()
    tab.close()

    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("已退出登录").wait_for(timeout=30_000)
    for _ in range(50):  # the page asks the server to clear the (already revoked) cookie
        if not session_cookie(context):
            break
        page.wait_for_timeout(100)
    assert session_cookie(context) is None
    page.reload()
    wait_until_drawn(page)
    assert page.get_by_label("用户名").is_visible()  # the revoked cookie signs nobody in
    context.close()


def test_planner_refused_on_the_import_page_in_english(server, chromium, artifacts):
    """/data is the admins' (and, in a round, a filler's 本期填报 and a leader's board): a planner is
    refused, in their language."""
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{server}/data?lang=en")
    wait_until_drawn(page)
    sign_in_with_enter(page, "pa", PASSWORD, "may not open", ("User name", "Password"))
    text = main_text(page)
    assert "Your role (planner) may not open this page" in text
    assert "Page not found" not in page.content()
    page.screenshot(path=str(artifacts / "access-data-refused-en.png"))
    context.close()


def test_a_kiosk_signing_in_on_the_overview_lands_on_present_still_signed_in(server, chromium, artifacts):
    """A wall screen signs in on /: it is sent to /present, whose screen theme reloads the page once;
    the reload waits for the sign-in cookie's hand-over, so the slides come back, not the form (the
    reload used to abort that request: the form again, four times in five)."""
    context = chromium.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(server)
    wait_until_drawn(page)
    page.get_by_label("用户名").fill("hall")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("密码", exact=True).press("Enter")
    page.wait_for_url("**/present?**embed_options=dark_theme**", timeout=60_000)  # after the reload
    for _ in range(3):  # once the reloaded page is drawn, and a while after
        page.wait_for_timeout(2_000)
        wait_until_drawn(page)
        assert page.locator("input[type=password]").count() == 0, page.url
    assert session_cookie(context) is not None
    assert "/present" in page.url
    assert page.locator(".ud-title").count() == 1
    page.screenshot(path=str(artifacts / "access-kiosk-present.png"))
    context.close()


def test_failed_sign_ins_are_rate_limited(server, chromium, artifacts):
    context = chromium.new_context()
    page = context.new_page()
    page.goto(server)
    wait_until_drawn(page)
    for _ in range(5):
        sign_in_with_enter(page, "victim", "guess the password", "用户名或密码不正确")
    sign_in_with_enter(page, "victim", PASSWORD, "登录失败次数过多")
    assert "登录失败次数过多" in main_text(page)
    assert "已登录" not in page.inner_text("body")
    page.screenshot(path=str(artifacts / "access-rate-limited.png"))
    context.close()


@pytest.fixture(scope="module")
def oidc_provider():
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the local provider speaks plain http
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as provider:
        yield f"http://localhost:{provider.server_port}"


@pytest.fixture(scope="module")
def sso_server(fixture_dir, tmp_path_factory, oidc_provider):
    from tools.bench.server import free_port

    require_chromium()
    folder = tmp_path_factory.mktemp("sso")
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{"c" * 40}"\n'
        'client_id = "uniondash"\n'
        'client_secret = "uniondash-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    env = {
        "UNIONDASH_USERS": write_accounts(folder),
        "UNIONDASH_COOKIE_SECRET": "t" * 40,
        "STREAMLIT_SECRETS_FILES": str(secrets),
        "AUTHLIB_INSECURE_TRANSPORT": "1",
    }
    with serve_on(port, fixture_dir, env) as url:
        yield url


@contextlib.contextmanager
def serve_on(port: int, data_dir, env: dict):
    """serve.py on a port chosen beforehand (the OIDC redirect URI names it)."""
    from uniondash.config import ROOT

    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    full_env = {**os.environ, "UNIONDASH_DATA": str(data_dir), **env}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(OSError):
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start: " + proc.stdout.read1().decode(errors="replace"))
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_single_sign_on_returns_to_the_requested_view(sso_server, chromium, artifacts):
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{sso_server}/county?county=990101")
    wait_until_drawn(page)
    page.get_by_role("button", name="单点登录（SSO）").click()
    page.wait_for_selector('input[name="sub"]', timeout=20_000)  # the provider's own form
    page.fill('input[name="sub"]', "chen@example.org")
    page.screenshot(path=str(artifacts / "access-sso-provider.png"))
    page.click('button[type="submit"]')
    page.wait_for_url("**/county?county=990101", timeout=30_000)  # back from / to the view asked for
    wait_until_drawn(page)
    assert exceptions(page) == []
    assert "县域概况：甲一区" in main_text(page)
    assert "已登录：chen@example.org" in page.inner_text('[data-testid="stSidebar"]')
    page.screenshot(path=str(artifacts / "access-sso-signed-in.png"), full_page=True)

    page.goto(f"{sso_server}/county?county=990201")  # deep link into another county
    wait_until_drawn(page)
    text = main_text(page)
    assert "链接中的 乙一县 不在您的查看范围内" in text
    assert "县域概况：甲一区" in text

    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("button", name="End session").click(timeout=60_000)  # the provider's RP logout (60 s: a busy CI)
    page.wait_for_url(f"{sso_server}/**", timeout=30_000)
    page.get_by_role("button", name="单点登录（SSO）").wait_for(timeout=30_000)
    assert "已登录" not in page.inner_text("body")
    page.screenshot(path=str(artifacts / "access-sso-signed-out.png"))
    context.close()
