# iocloud — two commands matter: `make run` and `make test`.
#
# The machine's Go 1.26.8 has known standard-library vulnerabilities, so every
# target builds and tests with the patched go1.27.3 (the go command fetches it
# from the module proxy). go.mod itself stays buildable with plain Go 1.26.
export GOTOOLCHAIN ?= go1.27.3

GO      ?= go
PKG     := github.com/iocloud-chatops/iocloud
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X $(PKG)/cmd/internal/version.Version=$(VERSION) -X $(PKG)/cmd/internal/version.Commit=$(COMMIT)
HAVE_NODE := $(shell command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && echo 1)

# make run listens here; override with make run ADDR=127.0.0.1:9090.
ADDR ?= 127.0.0.1:8080
# The unit tests' go test -json events, counted for make test's last line.
UNIT_JSON := .cache/unit.json
# How long make fuzz runs each fuzz target; new inputs are minimized for a
# few seconds only, or a target with long strings spends its whole turn there.
FUZZTIME ?= 20s
FUZZFLAGS ?= -fuzzminimizetime=5s

.PHONY: help build run run-slack console test test-steps vet unit lint lintcheck snapshots fmt mcpclients conformance dockercheck bench bench-smoke bench-go fuzz tidy-check vulncheck

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: ## build both binaries into bin/, exactly as the Dockerfile does
	VERSION=$(VERSION) COMMIT=$(COMMIT) sh scripts/build-release.sh bin/

# run and run-slack exec the built binary: it replaces the shell make
# started, so make's SIGTERM (which make passes on to its children) and
# Ctrl-C reach the server itself, which shuts down cleanly. `go run` would
# sit in between and leave the server running when killed.
run: build ## the MCP server on the built-in sandbox, streamable HTTP on 127.0.0.1:8080 (ADDR=host:port to change)
	exec bin/iocloud-mcp --sandbox --transport http --addr $(ADDR)

run-slack: build ## the Slack bot in the terminal (console mode) on the sandbox
	exec bin/iocloud-slackbot --console --sandbox

console: run-slack ## the same as run-slack

# The steps run in a sub-make so that the summary is printed whatever
# happened; it is the last line make test writes to stdout (on a failure make
# itself adds its "*** Error" line on stderr after it).
test: ## everything CI runs; ends with one line: N passed, M failed, K skipped
	@rm -f $(UNIT_JSON); status=0; \
	  $(MAKE) --no-print-directory test-steps || status=$$?; \
	  $(GO) run ./hack/testsummary -status $$status $(UNIT_JSON); \
	  exit $$status

test-steps: vet tidy-check vulncheck mcpclients conformance unit bench-smoke lint lintcheck dockercheck ## the steps of test, without the summary line

vet: ## gofmt and go vet on the product module (hack/lintcheck's bad sample is unformatted on purpose)
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './hack/lintcheck/testdata/*' -not -path './.tools/*' -not -path './.mcpclients/*')); \
	  test -z "$$out" || { echo "gofmt needed:"; echo "$$out"; exit 1; }
	$(GO) vet ./...

unit: ## go test with the race detector, shuffled, every package (through gotestsum v1.13.0 from .tools/)
	@mkdir -p $(dir $(UNIT_JSON))
	@gotestsum=$$(bash scripts/tools.sh gotestsum) && status=0 && \
	  IOCLOUD_REQUIRE_INSPECTOR=$(HAVE_NODE) $$gotestsum --format pkgname --format-hide-empty-pkg --jsonfile $(UNIT_JSON) -- \
	    -race -count=1 -shuffle=on -timeout=10m ./... || status=$$?; \
	  $(GO) run ./hack/testsummary $(UNIT_JSON); exit $$status

lint: ## golangci-lint v2.15.0 (installed into .tools/ on first use)
	bash scripts/lint.sh

lintcheck: ## proves the lint gate bites: planted mistakes must be reported
	bash hack/lintcheck/check.sh

snapshots: ## rewrite the MCP tool schema snapshots after a deliberate change
	UPDATE_SNAPSHOTS=1 $(GO) test ./tools/

fmt: ## gofmt every Go file
	gofmt -w $$(git ls-files '*.go' | grep -v '^hack/lintcheck/testdata/')

mcpclients: ## the MCP Inspector CLI from npm, for the interop tests (needs node)
ifeq ($(HAVE_NODE),1)
	bash scripts/install-mcp-clients.sh
else
	@echo "node/npm not found: the MCP Inspector interop test will be skipped"
endif

conformance: ## the MCP conformance suite and Node 22 from npm (pinned) for TestConformance (needs npm)
	bash scripts/install-conformance.sh

dockercheck: ## lint the Dockerfile and rehearse the image's build and non-root run
	bash scripts/dockercheck.sh

# BENCH_ARGS go to hack/benchrig, e.g. BENCH_ARGS="-cold-ref $$(command -v github-mcp-server) -cold-ref-args stdio".
BENCH_ARGS ?=
bench: ## the benchmark rig: real processes on loopback, ours vs a plain Go reference, one table of ratios (README "Performance")
	$(GO) run ./hack/benchrig $(BENCH_ARGS)

bench-smoke: ## the rig once, short (seconds): proves it runs; asserts nothing about speed
	$(GO) run ./hack/benchrig -smoke

bench-go: ## the Go micro-benchmarks (numbers are written down in README, never asserted)
	$(GO) test -run='^$$' -bench=. -benchmem ./...

fuzz: ## run each fuzz target for FUZZTIME (20s; their seeds already run in make test)
	@set -e; for target in $(FUZZ_TARGETS); do \
	  pkg=$${target%%:*}; name=$${target#*:}; \
	  echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
	  $(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $(FUZZFLAGS) $$pkg; \
	done

tidy-check: ## go.mod and go.sum are exactly what go mod tidy would write
	$(GO) mod tidy -diff

vulncheck: ## govulncheck v1.9.0 against an offline golang.org/x/vulndb database (built into .tools/ on first use)
	bash scripts/vulncheck.sh

# Every fuzz target, as package:Name. `go test -fuzz` takes one target per
# run, so make fuzz loops; the seeds of all of them run in make unit.
FUZZ_TARGETS := \
	./iocloud:FuzzDecodeErrorBody \
	./iocloud/guard:FuzzOpenTicket \
	./iocloud:FuzzPolicyCheck \
	./iocloud:FuzzParseJWTExpiry \
	./iocloud:FuzzParseRetryAfter \
	./iocloud:FuzzDecodeSuccessBody \
	./iocloud:FuzzParseTimestamp \
	./config:FuzzValidate \
	./slackbot:FuzzParseCommand \
	./slackbot:FuzzRenderWebhook \
	./slackbot:FuzzInteractionPayload \
	./tools:FuzzExplainArguments

.PHONY: docs docs-check
docs: ## regenerate docs/configuration.md and docs/tools.md from config and the tool snapshots
	$(GO) run ./hack/gendocs

docs-check: ## fail when a generated doc is stale (make unit runs the same check as a test)
	$(GO) run ./hack/gendocs -check
