# devicebatches: make targets used by developers and by .ci/run.
GO      ?= go
BIN     ?= bin/devicebatches
PKGS    := ./...

# Tools outside the build run with `go run module@version`: pinned here, never in go.mod.
# GoReleaser v2.18.2 and later need a newer Go than 1.26.
GORELEASER  ?= $(GO) run github.com/goreleaser/goreleaser/v2@v2.15.1
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOVULNCHECK ?= $(GO) run golang.org/x/vuln/cmd/govulncheck@v1.9.0
# The Go vulnerability database, as the golang.org/x/vulndb module from the Go
# module proxy (its data/osv holds every OSV entry): vuln.go.dev need not be
# reachable. `latest` is the newest commit the proxy has; pin a pseudo-version
# (e.g. v0.0.0-20261105234957-e22db6528018) for a reproducible run.
VULNDB_VERSION ?= latest

.PHONY: all generate check-generated build test lint staticcheck vulncheck bench bench-cli bench-inproc openapi-check \
	release-check release-snapshot sandbox clean

all: lint vulncheck test build

## generate: regenerate generated/ from openapi/partnercenter.yaml (oapi-codegen pinned in go.mod).
generate:
	$(GO) generate $(PKGS)

## check-generated: regenerate into a scratch copy and fail on any difference with generated/.
check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	tar --exclude=./.git --exclude=./bin --exclude=./dist --exclude='./.ci/openapi-tools/node_modules' -cf - . | tar -C "$$tmp" -xf - && \
	(cd "$$tmp" && $(GO) generate $(PKGS)) && \
	if diff -ru generated "$$tmp/generated" && diff -u internal/pcjson/decode.gen.go "$$tmp/internal/pcjson/decode.gen.go"; then \
		echo "generated/ and internal/pcjson/decode.gen.go are up to date"; \
	else echo "generated code differs from what openapi/partnercenter.yaml and the models generate: run 'make generate' and commit" >&2; exit 1; fi

## build: build the CLI into bin/: the lean devicebatches and, beside it, the
## full build devicebatches-full (-tags full: the sandbox and contract
## validation), which the lean one runs for --sandbox and the like.
build:
	$(GO) build -o $(BIN) ./cmd/devicebatches
	$(GO) build -tags full -o $(BIN)-full ./cmd/devicebatches

## test: every test; fuzz targets run their seed corpora. With the race detector
## when cgo works (CGO_ENABLED=1 and the C compiler `go env CC` is installed),
## else without it, saying so.
test:
	@race=-race; cc=$$($(GO) env CC); \
	if [ "$$($(GO) env CGO_ENABLED)" != 1 ] || ! command -v "$${cc%% *}" >/dev/null 2>&1; then \
		race=; echo "make test: running WITHOUT the race detector: it needs cgo (CGO_ENABLED=1) and a C compiler ('$${cc:-gcc}': apt-get install gcc)"; \
	fi; \
	echo "$(GO) test $${race:+$$race }-count=1 $(PKGS)"; \
	$(GO) test $$race -count=1 $(PKGS)

## lint: formatting, go vet, a tidy go.mod, and staticcheck (any finding fails).
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:" $$out >&2; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) mod tidy -diff
	$(STATICCHECK) $(PKGS)

staticcheck:
	$(STATICCHECK) $(PKGS)

## vulncheck: govulncheck against the Go vulnerability database taken from the Go
## module proxy (golang.org/x/vulndb@$(VULNDB_VERSION)); fails on any vulnerability
## the code reaches, and fails (never passes silently) if the database cannot be had.
vulncheck:
	@json=$$(cd / && $(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION)) || { \
		echo "vulncheck: cannot download the vulnerability database golang.org/x/vulndb@$(VULNDB_VERSION) from the Go module proxy: $$json" >&2; exit 1; }; \
	dir=$$(printf '%s\n' "$$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$$/\1/p'); \
	ver=$$(printf '%s\n' "$$json" | sed -n 's/^[[:space:]]*"Version": "\(.*\)",*$$/\1/p'); \
	if [ -z "$$dir" ] || [ ! -f "$$dir/data/osv/GO-2020-0001.json" ]; then \
		echo "vulncheck: golang.org/x/vulndb@$$ver has no OSV entries in data/osv; cannot check" >&2; exit 1; fi; \
	echo "vulncheck: database golang.org/x/vulndb@$$ver ($$(ls "$$dir/data/osv" | wc -l) entries)"; \
	$(GOVULNCHECK) -db "file://$$dir/data/osv" $(PKGS)

## openapi-check: lint the document with Spectral's standard OAS ruleset and serve it with
## Prism's mock server to the CLI (independent OpenAPI tooling; needs Node.js and npm).
openapi-check:
	bash .ci/openapi-check

## bench: the benchmarks behind BENCHMARKS.md, six runs each, compared by benchstat
## (run with `go run ...@latest`, so it never enters go.mod). Output in bench.txt.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 -timeout 30m ./wrapper/ | tee bench.txt
	$(GO) run golang.org/x/perf/cmd/benchstat@latest -col '/impl@(baseline wrapper)' bench.txt

## bench-cli: whole-process runs of the CLI against a plain net/http + encoding/json
## client (wall, CPU, peak RSS), interleaved, medians (see bench/README.md).
bench-cli:
	bash bench/run.sh 5

## bench-inproc: the in-process benchmarks of this tree and earlier commits, side by side.
bench-inproc:
	bash bench/inproc.sh 6

## release-check: validate .goreleaser.yaml.
release-check:
	$(GORELEASER) check

## release-snapshot: build every release archive and checksums.txt into dist/,
## from the current commit, publishing nothing.
release-snapshot:
	$(GORELEASER) release --snapshot --clean

## sandbox: run the built-in Partner Center sandbox on 127.0.0.1:8080.
sandbox:
	$(GO) run -tags full ./cmd/devicebatches sandbox

clean:
	rm -rf bin dist
