# Two commands matter: `make run` (dashboard on the built-in demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
DATA ?= data
WORKERS ?= 2
ADDRESS ?= 127.0.0.1

.PHONY: install system-deps system-deps-run system-deps-serve system-deps-pg data run serve pg test lint bench load clean-data

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

# The Debian packages each target needs, installed when missing (apt-get as root or through sudo -n;
# otherwise it stops at once naming the one command to run): run fonts-noto-cjk; serve nginx;
# test chromium, fonts-noto-cjk, nginx, poppler-utils and postgresql; pg postgresql.
system-deps:
	@bash tools/system_deps.sh test
system-deps-run:
	@bash tools/system_deps.sh run
system-deps-serve:
	@bash tools/system_deps.sh serve
system-deps-pg:
	@bash tools/system_deps.sh pg

# Build the five demo snapshots once; an existing data folder is left as it is.
data: install
	@if [ -d "$(DATA)/snapshots" ] && [ -n "$$(ls -A $(DATA)/snapshots 2>/dev/null)" ]; then \
		echo "data: $(DATA)/snapshots exists"; \
	else \
		UNIONDASH_DATA=$(DATA) $(BIN)/python -m uniondash demo; \
	fi

# serve.py is dashboard.py plus the sign-in cookie routes (Streamlit's App with extra routes); on
# localhost only: a deployment sets the address (and UNIONDASH_PUBLIC=1) in its own configuration.
run: system-deps-run data
	@echo "工会工作数据看板: http://localhost:$(PORT)"
	UNIONDASH_DATA=$(DATA) $(BIN)/streamlit run serve.py --server.port $(PORT) --server.address 127.0.0.1

# WORKERS Streamlit processes behind nginx (deploy/nginx.conf.template), sticky by a cookie nginx
# sets; Ctrl-C stops all. nginx listens on ADDRESS and on PORT when given, else on a free port.
# REPLICAS=R (with STATE=postgresql://…, e.g. from `make pg`): R stacks, each its own WORKERS workers
# and nginx, behind a front nginx with cookie affinity across the stacks (docs/deploy.md).
REPLICAS ?= 1
serve: system-deps-serve data
	UNIONDASH_DATA=$(DATA) $(BIN)/python -m tools.serve --workers $(WORKERS) --address $(ADDRESS) \
		--replicas $(REPLICAS) $(if $(STATE),--state $(STATE)) \
		$(if $(filter command line environment,$(origin PORT)),--port $(PORT))

# A throwaway PostgreSQL (Debian's package; initdb into a temporary folder, as `nobody` when run as
# root) in the foreground: prints its URL for STATE=… / UNIONDASH_STATE_URL; Ctrl-C deletes it.
pg: system-deps-pg install
	$(BIN)/python -m tools.serve.pg $(if $(filter command line environment,$(origin PORT)),--port $(PORT))

test: system-deps install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# Pages timed in the system Chromium against floor pages, at demo scale 1 and 100; then a collection
# round of every county (one review, the publish, peak memory).
bench: data
	UNIONDASH_DATA=$(DATA) $(BIN)/python -m tools.bench pages --scale100 $(DATA)/bench-scale100 --out docs
	UNIONDASH_DATA=$(DATA) $(BIN)/python -m tools.bench rounds --out docs

# 20 then 50 users (WebSocket protocol, 3 s think) plus 2 Chromium tabs, two minutes each, against
# one Streamlit process and against `make serve WORKERS=$(WORKERS)`, started by the load test itself:
# docs/load.json and a section of docs/benchmarks.md. URL=http://… loads a server already running.
LOAD_SESSIONS ?= 20,50
LOAD_SECONDS ?= 120
# FAILOVER=1: 100 signed-in users through the front of a replica set, stack 0 taken down halfway
# (tools/bench/load_failover.py): the failover window, errors inside and outside it, p95. With
# URL=http://front STATE=postgresql://… against `make serve REPLICAS=2 … STATE=…`; else it starts
# a throwaway PostgreSQL and REPLICAS(2) stacks of WORKERS itself. Result: deploy/run/failover.json.
FAILOVER_USERS ?= 100
load: data
ifdef FAILOVER
	UNIONDASH_DATA=$(DATA) $(BIN)/python -m tools.bench.load_failover --users $(FAILOVER_USERS) \
		--seconds $(LOAD_SECONDS) --workers $(WORKERS) $(if $(URL),--url $(URL)) $(if $(STATE),--state $(STATE))
else
	UNIONDASH_DATA=$(DATA) $(BIN)/python -m tools.bench load --sessions $(LOAD_SESSIONS) --seconds $(LOAD_SECONDS) \
		--workers 0,$(WORKERS) $(if $(URL),--url $(URL)) --out docs
endif

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean-data:
	rm -rf $(DATA)/snapshots
