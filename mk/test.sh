#!/usr/bin/env bash
# make test: every check and every test, ending in one summary line.
# Installs what the tests need (mk/deps.sh) or says what to install; a
# skipped test fails the run unless SKIP_BROWSER=1 (make test-quick).
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
STATICCHECK=honnef.co/go/tools/cmd/staticcheck@v0.8.2

bash mk/deps.sh || exit 1

step() { echo "== $*"; }
status=0
step "go vet"
$GO vet ./... || status=1
step "go mod tidy -diff"
$GO mod tidy -diff || { echo "go.mod or go.sum is not tidy: run go mod tidy"; status=1; }
step "staticcheck"
$GO run "$STATICCHECK" ./... || status=1

# The packages that run goroutines also run under the race detector.
race='/internal/(seal|site|preview)(/|$)'
mapfile -t racy < <($GO list ./... | grep -E "$race")
mapfile -t rest < <($GO list ./... | grep -vE "$race")
step "go test -race (${#racy[@]} packages) and go test (${#rest[@]} packages)"
{
  $GO test -json -race -timeout 30m "${racy[@]}"
  $GO test -json -timeout 30m "${rest[@]}"
} | $GO run ./mk/testsummary || status=1
exit $status
