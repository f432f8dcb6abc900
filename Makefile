# caseport: the two commands of the README are "make demo" and "make test".
GO      ?= go
BIN     := bin/caseport
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
DEMO    ?= cases/gastric-2026-041

.PHONY: build demo test bench bundle clean

build: bundle
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/caseport

# The bundled example: check it, seal it into bin/demo-portal (the readers'
# passphrases are printed once), then preview it live until Ctrl-C.
demo: build
	./$(BIN) check $(DEMO)
	./$(BIN) build $(DEMO) -o bin/demo-portal
	@echo "Sealed portal written to bin/demo-portal/; now the live preview (Ctrl-C stops it):"
	./$(BIN) serve $(DEMO) --open

test: bundle
	$(GO) vet ./...
	$(GO) test ./...

# Issue 6's benchmarks, side by side with age; writes bench/RESULTS.md.
bench: build
	bash bench/run.sh

clean:
	rm -rf bin

# Each part of the build may add rules in its own file under mk/.
include mk/*.mk
