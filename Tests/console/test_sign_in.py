"""Signing in and out, and what the console refuses."""
import time
import urllib.error
import urllib.request

from selenium.webdriver.common.by import By

from conftest import PASSWORD


def test_wrong_password_says_so_without_saying_which(console):
    console.sign_in("max.bauer", password="falsch-falsch-falsch")
    text = console.text()
    assert "Anmeldung fehlgeschlagen" in text
    assert console.heading() == "Anmelden"
    # The same words for a login that does not exist: nothing tells which of the two was wrong.
    console.sign_in("niemand.hier", password="falsch-falsch-falsch")
    assert "Anmeldung fehlgeschlagen: Benutzername oder Passwort stimmen nicht" in console.text()
    console.screenshot("anmelden-fehler")


def test_session_cookie_is_strict_and_http_only(console):
    console.sign_in("max.bauer")
    cookie = console.cookie("SIKO_SESSION")
    assert cookie is not None
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    console.sign_out()
    # Gone, or expired by the sign-out's answer (Chromium may list it until the second has passed).
    left = console.cookie("SIKO_SESSION")
    assert left is None or left.get("expiry", 0) <= time.time() + 1
    console.open("/uebersicht")
    assert console.heading() == "Anmelden"


def test_post_without_csrf_token_is_refused(console, gateway):
    console.sign_in("jens.koch")
    session = console.cookie("SIKO_SESSION")["value"]
    request = urllib.request.Request(
        gateway.base + "/abonnements/neu", method="POST", data=b"name=Ohne+Token&areas=bochum&channel=webhook&target=http%3A%2F%2F127.0.0.1%3A9%2F",
        headers={"Cookie": f"SIKO_SESSION={session}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        urllib.request.urlopen(request)
        raise AssertionError("a POST without a CSRF token was accepted")
    except urllib.error.HTTPError as refusal:
        assert refusal.code == 403
    console.open("/abonnements")
    assert "Ohne Token" not in console.text()


def test_expired_session_signs_in_again_and_returns_to_the_page(console, gateway):
    console.sign_in("lena.wolf")
    console.open("/zustellungen")
    assert console.heading() == "Zustellungen"
    # Thirty idle minutes pass: the store's expiry of every session is moved into the past.
    with gateway.database() as db:
        db.execute("UPDATE console_session SET expires_at = 0")
    console.open("/zustellungen?status=dead")
    assert console.heading() == "Anmelden"
    assert "abgelaufen" in console.text()
    console.field("Benutzername").send_keys("lena.wolf")
    console.field("Passwort").send_keys(PASSWORD)
    console.click("Anmelden")
    assert console.heading() == "Zustellungen"
    assert console.driver.current_url.endswith("/zustellungen?status=dead")


def test_sign_in_never_redirects_off_site(console, gateway):
    console.open("/anmelden?next=//evil.example/phish")
    console.field("Benutzername").send_keys("lena.wolf")
    console.field("Passwort").send_keys(PASSWORD)
    console.click("Anmelden")
    assert console.driver.current_url.startswith(gateway.base + "/")
    assert console.heading() == "Übersicht"


def test_pages_forbid_framing_and_inline_script(gateway):
    response = urllib.request.urlopen(gateway.base + "/anmelden")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert b"<script>" not in response.read()
