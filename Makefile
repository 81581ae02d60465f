# kube-mcp developer entry points. Every variable below can be overridden: `make run PORT=9090`.
#
#   make run    build (release) and start the server on 127.0.0.1:$(PORT) against your current kubeconfig
#   make test   everything CI runs: unit tests, release build, end-to-end suite with the official MCP clients
#   make bench  release build + Benchmarks/bench.py
#   make deps   system packages (apt) and the two Python venvs; instant when nothing is missing

SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT        ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
PYTHON3      ?= python3
VENV         ?= .venv
VENV_V1      ?= .venv-v1
PY           ?= $(VENV)/bin/python
PY_V1        ?= $(VENV_V1)/bin/python
HOST         ?= 127.0.0.1
PORT         ?= 8080
RUN_ARGS     ?=
SWIFT_FLAGS  ?=
SWIFT_TEST_FLAGS ?=
PYTEST_ARGS  ?= -q
BENCH_ARGS   ?=
APT_PACKAGES ?= libuv1-dev libcurl4-openssl-dev libhttp-parser-dev pkg-config wrk python3-venv
REQS         ?= Tests/e2e/requirements.txt
REQS_V1      ?= Tests/e2e/requirements-v1.txt
REQS_FAKE    ?= Tests/FakeCluster/requirements.txt
FAKE_PORT      ?= 0
KUBECONFIG_OUT ?= /tmp/kube-mcp-fake.kubeconfig
FAKE_SCENARIO  ?= demo
FAKE_ARGS      ?=

BIN          := .build/release/kube-mcp
STAMP        := $(VENV)/.deps-stamp
STAMP_V1     := $(VENV_V1)/.deps-stamp
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export KUBE_MCP_BIN := $(abspath $(BIN))
export KUBE_MCP_V1_PYTHON := $(abspath $(PY_V1))

.PHONY: help deps apt-deps venvs build release run demo test unit-test e2e bench clean distclean fake-cluster

help:
	@echo "make demo     start a simulated cluster and the server on 127.0.0.1:$(PORT) (PORT=...)"
	@echo "make run      start the server on $(HOST):$(PORT) (PORT=..., RUN_ARGS='--read-only ...')"
	@echo "make test     unit tests + release build + end-to-end tests (what CI runs)"
	@echo "make build    debug build            make release   release build"
	@echo "make bench    benchmarks             make deps      apt packages + Python venvs"
	@echo "make clean    remove build output    make distclean also remove the venvs"

# --- dependencies ----------------------------------------------------------------------------------------------

deps: apt-deps venvs

# Installs only what is missing; apt-get update runs only when something must be installed.
apt-deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg -s "$$p" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing apt packages:$$missing"; \
	  $(SUDO) apt-get update && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

venvs: $(STAMP) $(STAMP_V1)

$(STAMP): $(REQS) $(REQS_FAKE) | apt-deps
	@test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r $(REQS) -r $(REQS_FAKE)
	@touch $@

$(STAMP_V1): $(REQS_V1) | apt-deps
	@test -x $(PY_V1) || $(PYTHON3) -m venv $(VENV_V1)
	$(PY_V1) -m pip install --disable-pip-version-check -q -r $(REQS_V1)
	@touch $@

# --- build -----------------------------------------------------------------------------------------------------

build: apt-deps
	$(SWIFT) build $(SWIFT_FLAGS)

release: apt-deps
	$(SWIFT) build -c release $(SWIFT_FLAGS)

run: deps release
	$(BIN) --host $(HOST) --port $(PORT) $(RUN_ARGS)

# A simulated cluster plus kube-mcp wired to it: try everything without owning a cluster.
demo: deps release
	PY=$(PY) BIN=$(BIN) scripts/demo.sh $(PORT)

# --- tests -----------------------------------------------------------------------------------------------------

unit-test: deps
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	$(SWIFT) test --skip-build $(SWIFT_TEST_FLAGS)

e2e: deps release
	$(PY) -m pytest Tests/e2e $(PYTEST_ARGS)

# Sequential on purpose (2-core machines): unit tests, then the release binary, then the e2e suite against it.
test: deps
	$(MAKE) --no-print-directory unit-test
	$(MAKE) --no-print-directory release
	$(PY) -m pytest Tests/e2e $(PYTEST_ARGS)

bench: deps release
	$(PY) Benchmarks/bench.py $(BENCH_ARGS)

# The fake Kubernetes API server (HTTPS, client certificates) used by tests and the demo; foreground.
fake-cluster: $(STAMP)
	$(PY) Tests/FakeCluster/fakecluster.py --listen 127.0.0.1:$(FAKE_PORT) --kubeconfig-out $(KUBECONFIG_OUT) \
	  --scenario $(FAKE_SCENARIO) $(FAKE_ARGS)

# --- cleanup ---------------------------------------------------------------------------------------------------

clean:
	rm -rf .build
	find Tests -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(VENV_V1)
