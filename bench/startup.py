"""Start-up times: cold CLI commands, and `make run`'s page from server start to its first answer.

    .venv/bin/python bench/startup.py [--index-dir .kb] [--runs 3]

CLI: each command is a fresh process (`python -m index …`), timed from start to exit, median of
--runs; so is a process that only loads the model and embeds one word (the yardstick for commands
that embed). Page: `streamlit run app.py` on a free loopback port; Debian's Chromium (Playwright)
opens the page as soon as the server answers; times are from server start to the page's header,
to the end of the visible "Loading the language model" state, and, from the moment the page
appeared, to the first passages of a question typed at once (keyword matches, said so, while the
model loads) and to its full answer (the note gone); then a second page, opened once the model has
loaded, from shown to its answer. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
QUESTION = "Does stress make dystonia worse?"
COMMANDS = {
    "stats": ["stats"],
    "show": ["show", "founding/what_are_dystonias.txt"],
    "search --mode keyword": ["search", "--mode", "keyword", QUESTION],
    "search (model)": ["search", QUESTION],
}


def cli_seconds(index_dir: str, runs: int) -> dict[str, float]:
    """Median wall seconds of each command in a fresh process."""
    out = {}
    for name, args in COMMANDS.items():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([PYTHON, "-m", "index", "--index-dir", index_dir, *args], cwd=ROOT, capture_output=True)
            times.append(time.perf_counter() - started)
        out[name] = round(statistics.median(times), 2)
    return out


def model_load_seconds(runs: int) -> float:
    """A fresh process that loads the model and embeds one word, timed from start to exit like the
    CLI commands (median of `runs`): what any command that embeds must pay."""
    code = "from index.embedder import MiniLMEmbedder; MiniLMEmbedder().embed(['x'])"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([PYTHON, "-c", code], cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 2)


def page_seconds(index_dir: str) -> dict[str, float]:
    """Server start → page shown → model loaded; page shown → first answer."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "KB_INDEX_DIR": str(Path(index_dir).resolve()), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    server = subprocess.Popen(
        [PYTHON, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        serving = time.perf_counter() - started
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            shown, first, answered = _ask_on_a_new_page(browser, url)
            # A second reader, once the model has loaded: page shown → answer.
            again, _, answered_again = _ask_on_a_new_page(browser, url)
            browser.close()
        return {
            "server_answers_http": round(serving, 2),
            "page_shown": round(shown - started, 2),
            "first_passages_after_page_shown": round(first - shown, 2),
            "first_answer_after_page_shown": round(answered - shown, 2),
            "first_answer_after_server_start": round(answered - started, 2),
            "answer_after_page_shown_once_model_loaded": round(answered_again - again, 2),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def _ask_on_a_new_page(browser, url: str) -> tuple[float, float, float]:
    """Open the page, type the question the moment it shows, press Enter: clock times when the page
    showed, its first passages showed, and the full answer showed (the same moment once the model is loaded)."""
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(url)
    expect(page.get_by_text("Dystonia knowledge base").first).to_be_visible(timeout=120_000)
    shown = time.perf_counter()
    box = page.locator('textarea[aria-label="Your question"]')
    box.fill(QUESTION)
    box.press("Enter")
    expect(page.locator(".kb-card").first).to_be_visible(timeout=180_000)
    first = time.perf_counter()
    # Passages shown while the model loads are keyword matches, said so; the full answer replaces them.
    expect(page.get_by_text("Keyword matches for now")).to_have_count(0, timeout=180_000)
    expect(page.locator(".kb-card").first).to_be_visible(timeout=180_000)
    return shown, first, time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", default=".kb")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-page", action="store_true")
    args = parser.parse_args()
    figures: dict = {
        "cli_seconds": cli_seconds(args.index_dir, args.runs),
        "model_load_seconds": model_load_seconds(args.runs),
    }
    if not args.no_page:
        figures["page"] = page_seconds(args.index_dir)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
