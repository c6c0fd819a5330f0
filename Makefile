# The marketplace backend: one entry point for developers and CI.
#   make demo   install what is missing, build, start the local stack, play the main story
#   make test   install what is missing, build, start the local stack, run every test, stop it
SHELL := /bin/bash
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
SANITIZE ?= OFF
STATE_DIR ?= $(CURDIR)/.state
CTEST_ARGS ?=
export MARKETPLACE_STATE_DIR := $(STATE_DIR)
export CCACHE_BASEDIR := $(CURDIR)
# Builds in other folders (a clone, a worktree, CI) share cache hits: with debug info ccache would
# otherwise hash the build's working directory into every key.
export CCACHE_NOHASHDIR := 1
export CCACHE_DIR ?= $(HOME)/.cache/ccache
STACK := deploy/local/stack.sh
SERVICES := deploy/local/services.sh

.PHONY: deps configure build up down status test test-unit demo demo-messaging bench-messaging bench-sagas bench-gateway bench-workroom timeline asan lint clean

deps:
	@deploy/local/deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DMARKETPLACE_SANITIZE=$(SANITIZE) -DMARKETPLACE_STATE_DIR=$(STATE_DIR) \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache > /dev/null

build: configure
	@cmake --build $(BUILD_DIR)

# The local stack (PostgreSQL, the dev broker) and every service as a process on it (deploy/local/services.sh).
up: build
	@MARKETPLACE_BIN_DIR=$(abspath $(BUILD_DIR)) $(STACK) up
	@MARKETPLACE_BIN_DIR=$(abspath $(BUILD_DIR)) $(SERVICES) up

down:
	@MARKETPLACE_BIN_DIR=$(abspath $(BUILD_DIR)) $(SERVICES) down
	@$(STACK) down

status:
	@$(STACK) status
	@MARKETPLACE_BIN_DIR=$(abspath $(BUILD_DIR)) $(SERVICES) status

# Starts the stack if it is not running, runs every test tier, and stops the stack again if it started it.
test: build
	@deploy/local/with-stack.sh $(abspath $(BUILD_DIR)) -- ctest --test-dir $(BUILD_DIR) --output-on-failure $(CTEST_ARGS)

test-unit: build
	@ctest --test-dir $(BUILD_DIR) -L unit --output-on-failure

# The stories (fixed price, a dispute, a clan paid by its split): the services and the gateway as processes, driven over HTTP, every call and event printed.
demo: build
	@deploy/local/with-stack.sh $(abspath $(BUILD_DIR)) -- $(BUILD_DIR)/tests/e2e/marketplace_demo

# The messaging core alone: outbox, relay, consumer, a parked event and its redrive.
demo-messaging: build
	@deploy/local/with-stack.sh $(abspath $(BUILD_DIR)) -- $(BUILD_DIR)/tests/bench/messaging_demo

bench-messaging: build
	@deploy/local/with-stack.sh $(abspath $(BUILD_DIR)) -- tests/bench/run-messaging-bench.sh $(abspath $(BUILD_DIR))

bench-sagas: build
	@deploy/local/with-stack.sh $(abspath $(BUILD_DIR)) -- tests/bench/run-sagas-bench.sh $(abspath $(BUILD_DIR))

# wrk through the gateway (a read and a write route) against the same calls made directly over gRPC.
bench-gateway: build
	@deploy/local/with-stack.sh $(abspath $(BUILD_DIR)) -- tests/bench/run-gateway-bench.sh $(abspath $(BUILD_DIR))

# WebSocket clients through the gateway on the workroom's live stream at a steady post rate (BENCH_* in the script).
bench-workroom: build
	@deploy/local/with-stack.sh $(abspath $(BUILD_DIR)) -- tests/bench/run-workroom-bench.sh $(abspath $(BUILD_DIR))

# A milestone's story across services, from their own records: the local stack's databases (their
# published_events and inbox) and its services' admin reads by default; PG_HOST/PG_PORT or
# TIMELINE_ARGS='--dsn payments=... --grpc payments=...' point elsewhere, --json for a document. The
# token: TIMELINE_TOKEN (an admin's), else a login as the local stack's admin with MARKETPLACE_DEV_MODE=1
# (docs/OPERATIONS.md, "Follow one saga").
timeline: build
	@test -n "$(MILESTONE)" || { echo "usage: make timeline MILESTONE=<milestone id> [TIMELINE_ARGS='--json']" >&2; exit 2; }
	@$(BUILD_DIR)/tools/timeline/marketplace-timeline $(MILESTONE) $(TIMELINE_ARGS)

# The sanitizer build: its own build folder, every test.
asan:
	@$(MAKE) test BUILD_DIR=build-asan SANITIZE=ON BUILD_TYPE=Debug

lint: configure
	@cmake --build $(BUILD_DIR) --target lint

clean:
	@rm -rf $(BUILD_DIR) build-asan
