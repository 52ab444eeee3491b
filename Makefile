# Gõ Cửa: `make run` for the demo, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint migrate-check demo messages collectstatic backup restore clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_divisions
	$(PY) manage.py seed_demo

run: demo
	@echo ""
	@echo "Gõ Cửa demo: http://$(HOST):$(PORT)/  (logins admin, canbo_tinh, canbo_xa, totruong, tovien; password demo12345)"
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

migrate-check: venv
	$(PY) manage.py makemigrations --check --dry-run

test: venv lint migrate-check
	$(PY) manage.py check
	$(PY) -m pytest $(PYTEST_ARGS)

messages: venv
	$(PY) scripts/po_fill.py

collectstatic: venv
	$(PY) manage.py collectstatic --noinput

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Backups of the configured database (SQLite file by default) into backups/.
backup: venv
	$(PY) manage.py backup

# make restore FILE=backups/gocua-....sqlite3   (into an empty database)
restore: venv
	$(PY) manage.py restore $(FILE) $(RESTORE_ARGS)

# Scale (issue 6): against a PostgreSQL seeded with `manage.py seed_scale --settings=bench.settings`, e.g.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/gocua_scale make bench
# and, to measure the growth from a smaller seed in the same run,
#   ... make bench COMPARE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gocua_scale_250k
.PHONY: bench bench-final bench-import bench-snapshot bench-rebuilds load
bench: venv
	$(PY) bench/run.py $(if $(COMPARE_DATABASE_URL),--compare-database-url $(COMPARE_DATABASE_URL)) $(BENCH_ARGS)

load: venv
	$(PY) bench/load.py $(LOAD_ARGS)

# Issue 17's acceptance: three runs of every page and file (bench/pages.py) on a quiet machine, each
# printing its bound, the trivial page's p95 and the load average, each kept as bench/results/final-N.json:
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/gocua_scale make bench-final
bench-final: venv
	for n in 1 2 3; do $(PY) bench/run.py --requests 150 --label final-$$n --output bench/results/final-$$n.json $(BENCH_ARGS); done

# Bulk import (issue 15): 20,000 households previewed and imported, into a database it recreates
# (gocua_imp_bench on 127.0.0.1 unless IMPORT_BENCH_DATABASE names another *_bench one).
bench-import: venv
	nice $(PY) bench/imports.py --database $(or $(IMPORT_BENCH_DATABASE),gocua_imp_bench) $(IMPORT_BENCH_ARGS)

# The offline snapshot (issue 16): a team of 1,500 households, bytes and seconds at 400 kbps, into a database it
# recreates (gocua_snap_bench on 127.0.0.1).
bench-snapshot: venv
	nice $(PY) bench/snapshot.py

# The rebuilds (issue 17): rebuild_adoptions and rebuild_counters of the seeded province, timed, with a writer
# recording visits beside them (how long a visit waits), and the tables' dead rows after:
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/gocua_scale make bench-rebuilds
bench-rebuilds: venv
	$(PY) bench/rebuilds.py $(REBUILD_BENCH_ARGS)
