"""The page in a real browser: `streamlit run app.py` on a free loopback port, driven by Playwright
in Debian's Chromium. Types a question, waits for cited passages, opens "Show in context",
and saves a screenshot under the test's tmp dir."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import CORPUS, REPO

pytestmark = [pytest.mark.browser, pytest.mark.model]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

if not Path(CHROMIUM).exists():
    if os.environ.get("KB_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing; `make test` installs it (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(real_index, tmp_path):
    """The page served by a real Streamlit process on 127.0.0.1; stopped after the test."""
    port = _free_port()
    kb = tmp_path / "kb"
    shutil.copytree(real_index, kb)
    env = {**os.environ, "KB_INDEX_DIR": str(kb), "KB_CORPUS_DIR": str(CORPUS), "HF_HUB_OFFLINE": "1"}
    env.pop("KB_ADMIN_PASSWORD", None)
    env.pop("KB_EMBEDDER", None)
    log = open(tmp_path / "streamlit.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError((tmp_path / "streamlit.log").read_text())
        time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(20)
    log.close()


def test_a_question_in_the_browser_shows_cited_passages_and_context(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        page.goto(server)
        expect(page.get_by_text("Dystonia knowledge base").first).to_be_visible(timeout=60_000)
        expect(page.get_by_text("not medical advice")).to_be_visible()
        box = page.locator('input[aria-label="Your question"]')
        box.fill("Which part of the brain is believed to be involved in dystonia?")
        box.press("Enter")
        cards = page.locator(".kb-card")
        expect(cards.first).to_be_visible(timeout=120_000)  # the first search loads the model
        assert 1 <= cards.count() <= 5
        expect(page.locator(".kb-rank").first).to_have_text("[1]")
        link = page.locator(".kb-meta a[href^='http']").first
        expect(link).to_be_visible()
        assert link.get_attribute("href").startswith(("https://", "http://"))
        expect(page.locator(".kb-card mark.evidence").first).to_be_visible()
        assert any("basal ganglia" in cards.nth(i).inner_text() for i in range(min(3, cards.count())))
        page.get_by_text("Show in context").first.click()
        context = page.locator(".kb-context mark.passage").first
        expect(context).to_be_visible(timeout=10_000)
        page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        browser.close()
    assert (tmp_path / "page.png").stat().st_size > 10_000
    print(f"screenshot: {tmp_path / 'page.png'}")
