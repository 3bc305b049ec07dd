# make run   — install if needed, bring the index up to date, serve the page on 127.0.0.1:8501
# make test  — install if needed (Python packages and Chromium for the browser test), run the whole suite
# make check — the fast part: ruff (lint + format), mypy, and the tests that need neither the model nor a browser
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8501
export HF_HUB_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: setup index run test check lint browser bench eval clean load

setup: $(STAMP)

# Reinstalls only when requirements.txt changes; a no-op run takes a fraction of a second.
$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

# Incremental: unchanged documents cost nothing, so this is quick when the index is current.
index: setup
	$(PY) -m ingest

run: index
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(PORT) \
		--server.headless true --browser.gatherUsageStats false

test: setup browser lint
	$(PY) -m pytest -q

check: setup lint
	$(PY) -m pytest -q -m "not model and not browser and not slow"

lint: setup
	$(VENV)/bin/ruff check ingest index app.py page_markup.py tests bench
	$(VENV)/bin/ruff format --check ingest index app.py page_markup.py
	$(VENV)/bin/mypy

# Debian's Chromium for the browser test (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then \
			(apt-get update -qq && apt-get install -y -qq chromium) >/dev/null; \
		else echo "chromium is missing: apt-get install chromium (as root) for the browser test"; fi; }

# Every benchmark in one run (ceiling, ingest by stage, latency by stage at 10k/100k/1M, start-up),
# written to BENCHMARKS.md; BENCH_ARGS=--txtai adds the txtai side-by-side run (~50 min).
bench: setup browser
	$(PY) bench/run.py $(BENCH_ARGS)

# Searches in-process and from headless Chromium pages while full reindexes run in a loop (60 s).
load: setup
	$(PY) bench/load.py

eval: index
	$(PY) -m index eval ../shared/eval/dystonia_questions.jsonl bench/questions/heldout.jsonl \
		bench/questions/lay.jsonl bench/questions/offtopic.jsonl bench/questions/blind.jsonl \
		bench/questions/tune2.jsonl

clean:
	rm -rf .kb .pytest_cache
