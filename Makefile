# SiKo Gateway. `make run` serves on the embedded SQLite default; `make test` runs every test.
SWIFT        ?= swift
CONFIG       ?= debug
DATA         ?= ./data
HOST         ?= 127.0.0.1
PORT         ?= 8080
VENV         := .venv
DEB_PACKAGES := libcurl4-openssl-dev libsqlite3-dev libssl-dev pkg-config
# Real parts the tests and benchmarks run against; never needed to serve.
TEST_PACKAGES := postgresql kannel kannel-extras openssl strace iproute2 util-linux curl jq chromium chromium-driver libxml2-utils
BENCH_TOOLS  := wrk prometheus-alertmanager

.PHONY: deps packages build run test bench check clean

## Install the Debian packages the build needs, when missing.
deps:
	@$(MAKE) --no-print-directory packages PACKAGES="$(DEB_PACKAGES)"

packages:
	@missing=""; \
	for package in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG) --product siko

## Serve the API and send deliveries, storing in $(DATA)/siko.sqlite.
run: build
	$(SWIFT) run -c $(CONFIG) --skip-build siko serve --data $(DATA) --host $(HOST) --port $(PORT)

## Validate Rules/ and Channels/.
check: build
	$(SWIFT) run -c $(CONFIG) --skip-build siko check

$(VENV)/ready: Tests/python/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r Tests/python/requirements.txt
	touch $@

## Every test: Swift Testing suites against real parts (aiosmtpd, Kannel), with webhook
## signatures also checked by PyPI standardwebhooks; then the console in a headless Chromium
## (selenium, axe-core); then schemathesis holds the live gateway to docs/openapi.yaml, in a
## network namespace of its own.
test: deps $(VENV)/ready
	@$(MAKE) --no-print-directory packages PACKAGES="$(TEST_PACKAGES)"
	$(SWIFT) build --build-tests
	SIKO_TEST_PYTHON=$(CURDIR)/$(VENV)/bin/python $(SWIFT) test --skip-build --skip SharedGatewayCrashTests
	@# Three gateways and 20,000 sends take both cores: alone, so the suites timed against a deadline are not starved.
	SIKO_TEST_PYTHON=$(CURDIR)/$(VENV)/bin/python $(SWIFT) test --skip-build --filter SharedGatewayCrashTests
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider Tests/console
	SCHEMATHESIS=$(CURDIR)/$(VENV)/bin/schemathesis Tests/schemathesis/run.sh

## Benchmarks on a release build; numbers go to docs/benchmarks.md.
bench: deps $(VENV)/ready
	@$(MAKE) --no-print-directory packages PACKAGES="$(TEST_PACKAGES) $(BENCH_TOOLS)"
	$(SWIFT) build -c release --product siko
	$(SWIFT) build -c release --product siko-bench
	$(SWIFT) build -c release --product siko-floor
	SIKO_BENCH_PYTHON=$(CURDIR)/$(VENV)/bin/python .build/release/siko-bench all

clean:
	rm -rf .build $(VENV)
