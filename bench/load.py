"""Load while reindexing: in-process searches and real page visits during a loop of full reindexes.

    python bench/load.py [--seconds 60] [--reindexes K] [--threads 4] [--pages 2] [--model] [--no-browser]

Starts from a copy of corpus/ in a temporary folder, indexed with the hashing embedder (`--model`
for the real one). Then, until --seconds pass or --reindexes full reindexes are done:
- a reindex loop: `python -m index build --full` in a child process, again and again;
- --threads threads calling `Searcher.search` on one shared in-process `Searcher`;
- --pages headless Chromium pages (Playwright, Debian's /usr/bin/chromium) on `streamlit run app.py`
  served on a free loopback port, each typing a question and pressing Enter, then waiting for the
  script run to finish (a MutationObserver on Streamlit's `data-test-script-state`).
Prints answered, errors and p50/p95 latency for each kind; exit code 1 when anything failed.
It stops by itself; nothing outside the temporary folder is written.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
QUESTIONS = (
    "What is dystonia?",
    "Does stress make dystonia worse?",
    "Which gene causes myoclonus-dystonia?",
    "How is cervical dystonia treated?",
    "Which part of the brain is involved in dystonia?",
    "Is blepharospasm a form of dystonia?",
    "What are the symptoms of writer's cramp?",
    "Can children get dystonia?",
)
# Marks each finished script run on the page, so a client knows when its question was answered.
RUN_COUNTER_JS = """() => {
  if (window.__kbRuns !== undefined) return;
  window.__kbRuns = 0;
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'notRunning') window.__kbRuns += 1;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


@dataclass
class Tally:
    """Latencies of the answered requests of one kind, and the errors (first few kept)."""

    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def done(self, seconds: float) -> None:
        with self.lock:
            self.seconds.append(seconds)

    def failed(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    def line(self, kind: str) -> str:
        if not self.seconds:
            return f"{kind:<28} answered 0, errors {len(self.errors)}"
        ordered = sorted(self.seconds)
        p50 = statistics.median(ordered)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        return (
            f"{kind:<28} answered {len(ordered):>6}, errors {len(self.errors)}, "
            f"p50 {p50 * 1000:7.1f} ms, p95 {p95 * 1000:7.1f} ms"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the load; returns the exit code."""
    args = _parser().parse_args(argv)
    kind = "minilm" if args.model else "hash"
    os.environ["KB_EMBEDDER"] = kind
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    with tempfile.TemporaryDirectory(prefix="kb-load-") as tmp:
        corpus, kb = Path(tmp) / "corpus", Path(tmp) / "kb"
        shutil.copytree(REPO / "corpus", corpus)
        embedder = _build(corpus, kb, kind)
        from index.search import Searcher

        searcher = Searcher(kb, embedder)
        kinds = ("reindex (full, subprocess)", "search (in-process)", "page visit (Chromium)")
        tallies = {name: Tally() for name in kinds}
        stop = threading.Event()
        server = None if args.no_browser else _serve(Path(tmp), corpus, kb, kind)
        try:
            started = time.monotonic()
            threads = [threading.Thread(target=_reindex_loop, args=(corpus, kb, args.reindexes, stop, tallies))]
            threads += [
                threading.Thread(target=_search_loop, args=(searcher, n, stop, tallies["search (in-process)"]))
                for n in range(args.threads)
            ]
            if server is not None:
                threads.append(threading.Thread(target=_pages, args=(server[0], args.pages, stop, tallies)))
            for thread in threads:
                thread.start()
            stop.wait(args.seconds)
            stop.set()
            for thread in threads:
                thread.join(120)
            elapsed = time.monotonic() - started
        finally:
            if server is not None:
                server[1].terminate()
                server[1].wait(20)
        page_tally = tallies["page visit (Chromium)"]
        if server is not None and not page_tally.seconds and not page_tally.errors:
            page_tally.failed("no page asked a question before the run ended")  # not 0 errors: nothing ran
        _print(tallies, elapsed, args, kind)
    return 1 if any(t.errors for t in tallies.values()) else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="stop after this long (default 60)")
    parser.add_argument("--reindexes", type=int, default=0, help="stop after this many full reindexes (0: no limit)")
    parser.add_argument("--threads", type=int, default=4, help="in-process search threads (default 4)")
    parser.add_argument("--pages", type=int, default=2, help="browser pages asking questions (default 2)")
    parser.add_argument("--model", action="store_true", help="use the real model instead of the hashing embedder")
    parser.add_argument("--no-browser", action="store_true", help="in-process searches only")
    return parser


def _build(corpus: Path, kb: Path, kind: str):
    from index.embedder import load_embedder
    from index.update import update_index

    embedder = load_embedder(kind)
    report = update_index(corpus, kb, embedder)
    print(f"indexed {report.documents} documents, {report.chunks} chunks with {embedder.name}", flush=True)
    return embedder


def _reindex_loop(corpus: Path, kb: Path, limit: int, stop: threading.Event, tallies: dict[str, Tally]) -> None:
    tally = tallies["reindex (full, subprocess)"]
    command = [sys.executable, "-m", "index", "build", "--full", "--corpus", str(corpus), "--index-dir", str(kb)]
    while not stop.is_set():
        began = time.monotonic()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
        if done.returncode == 0:
            tally.done(time.monotonic() - began)
        else:
            tally.failed(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
        if limit and len(tally.seconds) + len(tally.errors) >= limit:
            stop.set()


def _search_loop(searcher, offset: int, stop: threading.Event, tally: Tally) -> None:
    """Ask question after question through the one shared Searcher (as the page shares one per process)."""
    n = offset
    while not stop.is_set():
        question = QUESTIONS[n % len(QUESTIONS)]
        n += 1
        began = time.monotonic()
        try:
            searcher.search(question, k=5)
        except Exception as error:  # counted, not raised: the point is to see every failure
            tally.failed(f"{type(error).__name__}: {error}")
        else:
            tally.done(time.monotonic() - began)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(folder: Path, corpus: Path, kb: Path, kind: str) -> tuple[str, subprocess.Popen]:
    """`streamlit run app.py` on a free loopback port; returns its URL and process once healthy."""
    port = _free_port()
    env = {**os.environ, "KB_INDEX_DIR": str(kb), "KB_CORPUS_DIR": str(corpus), "KB_EMBEDDER": kind}
    env.pop("KB_ADMIN_PASSWORD", None)
    log = open(folder / "streamlit.log", "w")  # noqa: SIM115 (closed with the folder)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return url, process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"streamlit did not start: {(folder / 'streamlit.log').read_text()[-2000:]}")


def _pages(url: str, count: int, stop: threading.Event, tallies: dict[str, Tally]) -> None:
    asyncio.run(_browse(url, count, stop, tallies["page visit (Chromium)"]))


async def _browse(url: str, count: int, stop: threading.Event, tally: Tally) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            await asyncio.gather(*(_visit(browser, url, n, stop, tally) for n in range(count)))
        finally:
            await browser.close()


async def _visit(browser, url: str, offset: int, stop: threading.Event, tally: Tally) -> None:
    """One reader: open the page, then ask question after question until told to stop."""
    try:
        page = await (await browser.new_context()).new_page()
        await page.goto(url)
        box = page.locator('textarea[aria-label="Your question"]')
        await box.wait_for(timeout=120_000)
        await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)
        await page.evaluate(RUN_COUNTER_JS)
    except Exception as error:  # a page that never opened is a failure, not a reader who asked nothing
        tally.failed(f"page did not open: {type(error).__name__}: {str(error).splitlines()[0]}")
        return
    n = offset
    while not stop.is_set():
        question = QUESTIONS[n % len(QUESTIONS)] + ("" if n % 2 else " ")  # never the same text twice in a row
        n += 1
        runs = await page.evaluate("() => window.__kbRuns")
        began = time.monotonic()
        try:
            await box.fill(question)
            await box.press("Enter")
            await page.wait_for_function(f"() => window.__kbRuns > {runs}", timeout=60_000)
        except Exception as error:  # a timeout or a closed page: counted as an error
            tally.failed(f"{type(error).__name__}: {str(error).splitlines()[0]}")
            continue
        elapsed = time.monotonic() - began
        problem = await _page_problem(page)
        if problem:
            tally.failed(problem)
        else:
            tally.done(elapsed)


async def _page_problem(page) -> str:
    """What went wrong on the page after a question ("" when it answered or cleanly abstained)."""
    if await page.locator('[data-testid="stException"]').count():
        return "exception shown on the page"
    errors = page.locator('[data-testid="stAlertContentError"]')
    if await errors.count():
        return f"error shown: {(await errors.first.inner_text())[:200]}"
    answered = await page.locator(".kb-card").count() or await page.get_by_text("No passage").count()
    return "" if answered else "neither passages nor a 'no passage' message"


def _print(tallies: dict[str, Tally], elapsed: float, args: argparse.Namespace, kind: str) -> None:
    print(
        f"\n{time.strftime('%Y-%m-%d %H:%M')} · {elapsed:.0f} s · embedder {kind} · {args.threads} search threads, "
        f"{0 if args.no_browser else args.pages} browser pages, full reindexes in a loop · {os.cpu_count()} CPUs"
    )
    for kind_name, tally in tallies.items():
        print(tally.line(kind_name))
        for message in sorted(set(tally.errors))[:5]:
            print(f"    error: {message}")


if __name__ == "__main__":
    sys.exit(main())
