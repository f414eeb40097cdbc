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

.PHONY: help build run run-slack console test vet unit lint lintcheck snapshots fmt mcpclients conformance dockercheck bench fuzz tidy-check

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: ## build both binaries into bin/, exactly as the Dockerfile does
	VERSION=$(VERSION) COMMIT=$(COMMIT) sh scripts/build-release.sh bin/

run: ## the MCP server on the built-in sandbox, streamable HTTP on 127.0.0.1:8080
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/iocloud-mcp --sandbox --transport http

run-slack: ## the Slack bot in the terminal (console mode) on the sandbox
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/iocloud-slackbot --console --sandbox

console: run-slack

test: vet mcpclients conformance unit lint lintcheck dockercheck ## everything CI runs

vet: ## gofmt and go vet on the product module (hack/lintcheck's bad sample is unformatted on purpose)
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './hack/lintcheck/testdata/*' -not -path './.tools/*' -not -path './.mcpclients/*')); \
	  test -z "$$out" || { echo "gofmt needed:"; echo "$$out"; exit 1; }
	$(GO) vet ./...

unit: ## go test with the race detector, shuffled, every package
	IOCLOUD_REQUIRE_INSPECTOR=$(HAVE_NODE) $(GO) test -race -count=1 -shuffle=on -timeout=10m ./...

lint: ## golangci-lint v2.15.0 (installed into .tools/ on first use)
	bash scripts/lint.sh

lintcheck: ## proves the lint gate bites: planted mistakes must be reported
	bash hack/lintcheck/check.sh

snapshots: ## rewrite the MCP tool schema snapshots after a deliberate change
	UPDATE_SNAPSHOTS=1 $(GO) test ./tools/

fmt:
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

bench: ## benchmarks (numbers are written down in README, never asserted)
	$(GO) test -run='^$$' -bench=. -benchmem ./...

fuzz: ## a longer local fuzz run of each target (their seeds already run in make test)
	$(GO) test -run='^$$' -fuzz=FuzzDecodeErrorBody -fuzztime=30s ./iocloud
	$(GO) test -run='^$$' -fuzz=FuzzOpenTicket -fuzztime=30s ./iocloud
	$(GO) test -run='^$$' -fuzz=FuzzParseCommand -fuzztime=30s ./slackbot

tidy-check:
	$(GO) mod tidy -diff
