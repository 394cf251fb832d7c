# devicebatches: make targets used by developers and by .ci/run.
GO      ?= go
BIN     ?= bin/devicebatches
PKGS    := ./...

# Tools outside the build run with `go run module@version`: pinned here, never in go.mod.
# GoReleaser v2.18.2 and later need a newer Go than 1.26.
GORELEASER  ?= $(GO) run github.com/goreleaser/goreleaser/v2@v2.15.1

.PHONY: all generate check-generated build test lint bench openapi-check \
	release-check release-snapshot sandbox clean

all: lint test build

## generate: regenerate generated/ from openapi/partnercenter.yaml (oapi-codegen pinned in go.mod).
generate:
	$(GO) generate $(PKGS)

## check-generated: regenerate into a scratch copy and fail on any difference with generated/.
check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	tar --exclude=./.git --exclude=./bin --exclude='./.ci/openapi-tools/node_modules' -cf - . | tar -C "$$tmp" -xf - && \
	(cd "$$tmp" && $(GO) generate $(PKGS)) && \
	if diff -ru generated "$$tmp/generated"; then echo "generated/ is up to date"; \
	else echo "generated/ differs from what openapi/partnercenter.yaml generates: run 'make generate' and commit" >&2; exit 1; fi

## build: build the CLI into bin/.
build:
	$(GO) build -o $(BIN) ./cmd/devicebatches

## test: every test, with the race detector; fuzz targets run their seed corpora.
test:
	$(GO) test -race -count=1 $(PKGS)

## lint: formatting, go vet, and a tidy go.mod.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:" $$out >&2; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) mod tidy -diff

## openapi-check: lint the document with Spectral's standard OAS ruleset and serve it with
## Prism's mock server to the CLI (independent OpenAPI tooling; needs Node.js and npm).
openapi-check:
	bash .ci/openapi-check

## bench: the benchmarks behind BENCHMARKS.md, six runs each, compared by benchstat
## (run with `go run ...@latest`, so it never enters go.mod). Output in bench.txt.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 -timeout 30m ./wrapper/ | tee bench.txt
	$(GO) run golang.org/x/perf/cmd/benchstat@latest -col '/impl@(baseline wrapper)' bench.txt

## release-check: validate .goreleaser.yaml.
release-check:
	$(GORELEASER) check

## release-snapshot: build every release archive and checksums.txt into dist/,
## from the current commit, publishing nothing.
release-snapshot:
	$(GORELEASER) release --snapshot --clean

## sandbox: run the built-in Partner Center sandbox on 127.0.0.1:8080.
sandbox:
	$(GO) run ./cmd/devicebatches sandbox

clean:
	rm -rf bin dist
