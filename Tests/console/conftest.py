"""A real gateway, a real webhook receiver and a real headless Chromium for the console's tests.

Each test session starts one `siko serve` on a fresh data folder, with people made by the real
CLI (`siko users create`), a webhook receiver on loopback in this process, and Chromium driven
through chromedriver. Nothing is mocked; nothing left on the machine is relied upon.
"""
import http.server
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
SIKO = Path(os.environ.get("SIKO_BINARY", ROOT / ".build/debug/siko"))
SHOTS = Path(os.environ.get("SIKO_SCREENSHOTS", ROOT / ".build/console-screenshots"))
PASSWORD = "Ruhr-Lage-2026!"

# The people of the tests: login -> (partner, name, roles, cleared)
PEOPLE = {
    "erika.mustermann": ("geschaeftsstelle", "Erika Mustermann", ["editor", "approver"], True),
    "max.bauer": ("geschaeftsstelle", "Max Bauer", ["approver"], True),
    "anna.schmidt": ("geschaeftsstelle", "Anna Schmidt", ["admin", "viewer"], True),
    "jens.koch": ("stadt-bochum", "Jens Koch", ["editor", "viewer"], False),
    "lena.wolf": ("stadt-essen", "Lena Wolf", ["viewer"], False),
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """A webhook receiver on loopback answering 200, keeping every body it got."""

    def __init__(self):
        self.bodies = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.bodies.append(json.loads(body or b"{}"))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/siko"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                found = [b for b in self.bodies if predicate(b)]
            if found:
                return found[0]
            time.sleep(0.2)
        raise AssertionError(f"no webhook matched within {timeout}s; got {self.bodies!r}")


class Gateway:
    def __init__(self, work: Path):
        self.work = work
        self.data = work / "data"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(work / "serve.log", "w")
        for login, (partner, name, roles, cleared) in PEOPLE.items():
            args = [str(SIKO), "users", "create", "--data", str(self.data), "--partner", partner, "--login", login, "--name", name]
            for role in roles:
                args += ["--role", role]
            if cleared:
                args.append("--cleared")
            args.append("--password-stdin")
            subprocess.run(args, input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        env = dict(os.environ, SIKO_WEBHOOK_ALLOW="127.0.0.0/8", SIKO_LOG_LEVEL="info")
        self.process = subprocess.Popen(
            [str(SIKO), "serve", "--data", str(self.data), "--port", str(self.port), "--public-url", self.base,
             "--rate-limit", "0", "--drain-timeout", "1s", "--accessibility-contact", "barrierefreiheit@siko-ruhr.example"],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("siko serve stopped:\n" + (work / "serve.log").read_text())
            try:
                urllib.request.urlopen(self.base + "/ready", timeout=1)
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError("siko serve did not become ready")

    def cli(self, *args, stdin=None):
        return subprocess.run([str(SIKO), *args, "--data", str(self.data)], input=stdin, text=True, check=True, capture_output=True).stdout

    def database(self):
        return sqlite3.connect(self.data / "siko.sqlite", timeout=10)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def receiver():
    return Receiver()


@pytest.fixture(scope="session")
def gateway():
    assert SIKO.exists(), f"{SIKO} is missing: build first (swift build --product siko)"
    work = Path(tempfile.mkdtemp(prefix="siko-console-"))
    gateway = Gateway(work)
    yield gateway
    gateway.stop()
    shutil.rmtree(work, ignore_errors=True)


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError("chromium is missing: make test installs Debian's chromium and chromium-driver")


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_binary()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800",
                     "--lang=de-DE", "--disable-extensions", "--no-first-run"):
        options.add_argument(argument)
    driver_path = shutil.which("chromedriver")
    assert driver_path, "chromedriver is missing: make test installs Debian's chromium-driver"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    # axe-core takes seconds on a busy machine; its run is one script.
    driver.set_script_timeout(180)
    yield driver
    driver.quit()


class Console:
    """What a person does in the console, by the labels people see."""

    def __init__(self, driver, gateway):
        self.driver = driver
        self.gateway = gateway

    def open(self, path):
        self.driver.get(self.gateway.base + path)
        self.wait().until(EC.presence_of_element_located((By.TAG_NAME, "h1")))

    def wait(self, timeout=15):
        return WebDriverWait(self.driver, timeout)

    def field(self, label):
        """The form control whose visible <label> says `label` (the contract's labels)."""
        element = self.driver.find_element(By.XPATH, f"//label[normalize-space()='{label}']")
        return self.driver.find_element(By.ID, element.get_attribute("for"))

    def button(self, text):
        return self.driver.find_element(By.XPATH, f"//button[normalize-space()='{text}'] | //input[@type='submit' and @value='{text}']")

    def click(self, text):
        """Presses a button and waits for the page the form leads to."""
        self.press(self.button(text))

    def press(self, element):
        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        self.wait().until(lambda _: self.replaced(page))
        self.wait().until(EC.presence_of_element_located((By.TAG_NAME, "h1")))

    @staticmethod
    def replaced(element):
        """True once `element`'s page has gone. While the next page loads, chromedriver may
        answer with a stale reference or with "node does not belong to the document": both mean gone."""
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            return True

    def sign_in(self, login, password=PASSWORD, path="/"):
        self.open(path)
        self.wait().until(EC.presence_of_element_located((By.ID, "login")))
        self.field("Benutzername").clear()
        self.field("Benutzername").send_keys(login)
        self.field("Passwort").send_keys(password)
        self.click("Anmelden")

    def sign_out(self):
        self.click("Abmelden")

    def heading(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def cookie(self, name):
        for cookie in self.driver.get_cookies():
            if cookie["name"] == name:
                return cookie
        return None

    def screenshot(self, name):
        """The page at a desktop's and at a phone's width, for people to look at."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        for width, height in ((1280, 800), (390, 844)):
            self.driver.set_window_size(width, height)
            time.sleep(0.2)
            self.driver.save_screenshot(str(SHOTS / f"{name}-{width}x{height}.png"))
        self.driver.set_window_size(1280, 800)


@pytest.fixture
def console(browser, gateway):
    return Console(browser, gateway)


def event_id_in(url):
    match = re.search(r"/meldungen/(evt_[0-9a-z]+)", url)
    return match.group(1) if match else None
