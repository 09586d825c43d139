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

.PHONY: run test bench build build-asan build-tsan web bootstrap unit integration fuzz fmt fmt-check lint layers clean help

help:
	@echo "make run    - install what is missing, build, serve http://localhost:$(PORT)"
	@echo "make test   - install what is missing, build, run every test suite"
	@echo "make build  - release build of the server and the web app (rebuilt when web/ changed)"
	@echo "make bench  - long measurements (churn soak with default windows, ~25 min)"
	@echo "make unit | integration | fuzz (libFuzzer, 300 s per target)"
	@echo "make fmt | fmt-check | lint (layers, clang-tidy) | layers | clean"

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

# The web app's static export (web/out). Rebuilt only when a source changed since the last build
# (the stamp), or when web/out is gone; `make run` with nothing changed does not run next at all.
WEB_STAMP := build/web.stamp
WEB_SOURCES = $(shell find web/src web/public -type f 2>/dev/null) \
  $(wildcard web/package.json web/package-lock.json web/next.config.* web/tsconfig.json \
    web/postcss.config.* web/tailwind.config.* web/next-env.d.ts)
web: $(if $(wildcard web/package.json),$(WEB_STAMP))

$(WEB_STAMP): $(WEB_SOURCES) $(if $(wildcard web/out/index.html),,web-force)
	cd web && NEXT_TELEMETRY_DISABLED=1 npm run --silent build
	@mkdir -p $(dir $@) && touch $@

.PHONY: web-force
web-force:

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

# The #include rules of docs/design.md's layers (scripts/check_layers.mjs; also make test's first
# suite), with the script's own self-test first.
layers:
	@node scripts/check_layers.mjs --self-test
	@node scripts/check_layers.mjs

# clang-tidy also lists functions over 60 lines (readability-function-size in .clang-tidy).
lint: $(ASAN)/build.ninja fmt-check layers
	run-clang-tidy -quiet -p $(ASAN) -j $(JOBS) 'server/src/.*\.cpp$$'

clean:
	rm -rf build
