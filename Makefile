# classfreq: one target per stage. RUN names a run in runs/ (or a path to a .toml file).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CLASSFREQ := $(BIN)/classfreq
RUN ?= demo
DEMO_DATA ?= $(abspath ../shared/data)
export DEMO_DATA

STAGES := ingest normalize synonyms match count published accuracy correlate sensitivity report

.PHONY: setup $(STAGES) all demo test evaluate sql shell bench clean help

help:
	@echo "make demo                 build everything for the offline demo run (venv included)"
	@echo "make test                 run the test suite"
	@echo "make all RUN=llava-1.5    every stage of a run; one stage (and what it reads, if stale): make <stage> RUN=..."
	@echo "make evaluate             precision and recall of each disambiguation policy on the labelled dev set"
	@echo "make sql Q=\"select ...\"   query a run's DuckDB file (read-only); or FILE=sql/queries/x.sql;"
	@echo "                          LIMIT=100 rows shown (0: all), FORMAT=csv|json|parquet OUT=file: the whole result"
	@echo "make shell                an SQL prompt on a run's DuckDB file, as read-only as make sql"
	@echo "make bench                throughput: production vs spaCy baseline vs tokenize floor (BENCH_ARGS=--help)"
	@echo "stages: $(STAGES)"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed
	$(CLASSFREQ) setup

$(STAGES): setup
	$(CLASSFREQ) $@ --run $(RUN)

all: setup
	$(CLASSFREQ) all --run $(RUN)

demo: setup
	$(CLASSFREQ) all --run demo
	@echo "database: work/demo/classfreq.duckdb   report: work/demo/report.html"

# the layer contract (pyproject.toml, [tool.importlinter]) first: a broken layer fails in seconds
test: $(VENV)/.installed
	$(CLASSFREQ) setup --browser
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

evaluate: setup
	$(CLASSFREQ) evaluate --run $(RUN)

# not part of `make test`: generates corpora of millions of texts under work/bench and takes minutes
bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

# The query and its options reach classfreq through the environment as given: $(value) leaves a `$` in them
# alone (Q="select 'US$5'"), and inside "$$..." the shell passes quotes and newlines on unchanged.
sql: export SQL_Q = $(value Q)
sql: export SQL_FILE = $(value FILE)
sql: export SQL_LIMIT = $(value LIMIT)
sql: export SQL_FORMAT = $(value FORMAT)
sql: export SQL_OUT = $(value OUT)
sql: $(VENV)/.installed
	$(CLASSFREQ) sql --run $(RUN) $(if $(value Q),--query "$$SQL_Q") $(if $(value FILE),--file "$$SQL_FILE") \
		$(if $(value LIMIT),--limit "$$SQL_LIMIT") $(if $(value FORMAT),--format "$$SQL_FORMAT") $(if $(value OUT),--out "$$SQL_OUT")

shell: $(VENV)/.installed
	$(CLASSFREQ) shell --run $(RUN)

clean:
	rm -rf work/$(RUN)
