# Hallway — the two commands are `make run` and `make test`; everything else is a helper.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
PORT ?= 3000
HOST ?= 127.0.0.1
RELEASE := build/release
ASAN := build/asan
TSAN := build/tsan
SOURCES = $(shell git ls-files 'server/*.cpp' 'server/*.hpp' 2>/dev/null || find server -name '*.[ch]pp')
# CI builds with -Werror; a developer's build only warns.
export HALLWAY_WERROR ?= $(if $(CI),ON,OFF)

.PHONY: run test bench build build-asan build-tsan web bootstrap unit integration fuzz fmt fmt-check lint clean help

help:
	@echo "make run    - install what is missing, build, serve http://localhost:$(PORT)"
	@echo "make test   - install what is missing, build, run every test suite"
	@echo "make build  - release build of the server (and the web app if present)"
	@echo "make bench  - long measurements (churn soak with default windows, ~25 min)"
	@echo "make unit | integration | fuzz (libFuzzer, 300 s per target)"
	@echo "make fmt | fmt-check | lint | clean"

bootstrap:
	@scripts/bootstrap.sh

$(RELEASE)/build.ninja:
	cmake --preset release >/dev/null

$(ASAN)/build.ninja:
	cmake --preset asan >/dev/null

build: bootstrap $(RELEASE)/build.ninja web
	cmake --build $(RELEASE) --target hallway -j $(JOBS)

build-asan: $(ASAN)/build.ninja
	cmake --build $(ASAN) -j $(JOBS)

$(TSAN)/build.ninja:
	cmake --preset tsan >/dev/null

# Only the two servers the TSan stage of `make test` runs (no unit tests: ASan covers them).
build-tsan: $(TSAN)/build.ninja
	cmake --build $(TSAN) --target hallway hallway-test-server -j $(JOBS)

web:
	@if [ -f web/package.json ]; then cd web && NEXT_TELEMETRY_DISABLED=1 npm run --silent build; fi

run: build
	$(RELEASE)/server/hallway --host $(HOST) --port $(PORT) --web-root web/out --data-dir data \
	  --log-format text

test:
	@scripts/bootstrap.sh --test
	@$(MAKE) --no-print-directory build-asan build-tsan web
	@scripts/test.sh

# Long measurements (minutes; not part of make test): the churn soak with default windows.
# SOAK_MINUTES (default 12) of churn, then 11 min idle while every window passes.
bench: build
	@scripts/bootstrap.sh --bench
	node bench/churn_soak.mjs $(RELEASE)/server/hallway $${SOAK_MINUTES:-12} $${SOAK_PAIRS:-100}

unit: build-asan
	@scripts/test.sh unit

integration: build-asan
	@scripts/test.sh integration

# Longer fuzzing than make test's 10 s per target; FUZZ_SECONDS=3600 make fuzz for a soak.
fuzz:
	@scripts/bootstrap.sh
	@scripts/fuzz.sh $${FUZZ_SECONDS:-300}

fmt:
	clang-format -i $(SOURCES)

fmt-check:
	clang-format --dry-run --Werror $(SOURCES)

lint: $(ASAN)/build.ninja fmt-check
	run-clang-tidy -quiet -p $(ASAN) -j $(JOBS) 'server/src/.*\.cpp$$'

clean:
	rm -rf build
