# caseport: the two commands of the README are "make demo" and "make test".
GO      ?= go
BIN     := bin/caseport
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
DEMO    ?= cases/gastric-2026-041

.PHONY: build demo test test-quick bench bundle clean

build: bundle
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/caseport

# The bundled example: check it, seal it into bin/demo-portal (the readers'
# passphrases are printed once), then preview it live until Ctrl-C.
demo: build
	./$(BIN) check $(DEMO)
	./$(BIN) build $(DEMO) -o bin/demo-portal
	@echo "Sealed portal written to bin/demo-portal/; now the live preview (Ctrl-C stops it):"
	./$(BIN) serve $(DEMO) --open

# Every test, in every browser engine; go vet, staticcheck, the tidy check
# and the race detector too. Missing tools are installed (as root with apt)
# or named with the command to install them; a skipped test fails the run.
test: bundle
	GO=$(GO) bash mk/test.sh

# The same without the browsers: their tests are skipped, and the summary
# says so.
test-quick: bundle
	SKIP_BROWSER=1 GO=$(GO) bash mk/test.sh

# Issue 6's benchmarks, side by side with age; writes bench/RESULTS.md.
bench: build
	bash bench/run.sh

clean:
	rm -rf bin

# Each part of the build may add rules in its own file under mk/.
include mk/*.mk
