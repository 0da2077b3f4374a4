# 演约 — `make run` starts the platform on embedded defaults; `make test` runs every check.
# Both do their own set-up on a fresh machine (venv, pip and npm deps, client builds, Chromium for tests).

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export CI ?= 1

MINIAPP_SRC := $(shell find miniapp/src miniapp/index.html miniapp/vite.config.ts miniapp/package.json -type f 2>/dev/null)
ADMIN_SRC := $(shell find admin/src admin/index.html admin/vite.config.ts admin/package.json -type f 2>/dev/null)

.PHONY: run test setup lint typecheck pytest clients system-deps clean

run: setup clients
	$(PY) -m devstack

setup: $(VENV)/.installed miniapp/node_modules/.installed admin/node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $@

miniapp/node_modules/.installed: miniapp/package-lock.json
	cd miniapp && npm ci --no-audit --no-fund
	@touch $@

admin/node_modules/.installed: admin/package-lock.json
	cd admin && npm ci --no-audit --no-fund
	@touch $@

# Client builds are redone only when their sources changed.
clients: miniapp/dist/build/h5/index.html admin/dist/index.html

miniapp/dist/build/h5/index.html: miniapp/node_modules/.installed $(MINIAPP_SRC)
	cd miniapp && npm run build:h5

miniapp/dist/build/mp-weixin/app.json: miniapp/node_modules/.installed $(MINIAPP_SRC)
	cd miniapp && npm run build:mp-weixin

admin/dist/index.html: admin/node_modules/.installed $(ADMIN_SRC)
	cd admin && npm run build

# Debian Chromium and CJK fonts for the browser tests, poppler's pdftoppm for the contract PDF checks, and
# postgresql-client (pg_dump / pg_restore of the Debian PostgreSQL a machine may run on 127.0.0.1:5432; the
# embedded server's own come with its pip package), installed when missing and we can.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
	    || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1 \
	    || ! ls /usr/lib/postgresql/*/bin/pg_dump >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils postgresql-client >/dev/null; \
	  else echo "install chromium, fonts-noto-cjk and postgresql-client (apt-get) to run the browser and backup tests"; exit 1; fi; \
	fi

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

typecheck: setup
	cd miniapp && npm run typecheck
	cd admin && npm run typecheck

test: system-deps setup lint typecheck clients miniapp/dist/build/mp-weixin/app.json
	cd miniapp && npm run check:mp
	cd admin && npm run test
	$(PY) -m pytest -p no:cacheprovider

clean:
	rm -rf miniapp/dist admin/dist test-artifacts
