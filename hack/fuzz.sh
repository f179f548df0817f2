#!/usr/bin/env bash
# Runs every fuzz target of the module briefly: hack/fuzz.sh [budget, default 50000x].
#
# The budget is a count of inputs per target by default, not a duration: with a duration,
# Go 1.26's fuzz coordinator can end a clean run with "context deadline exceeded" and no
# failing input (go.dev/issue/75804, fixed in Go 1.27), which failed CI once. A count has
# no deadline to race. A duration (FUZZTIME=10m) still works for long local runs.
set -euo pipefail
budget="${1:-50000x}"
# Minimising a new input is bounded by a count too, for the same reason.
minimize="${FUZZMINIMIZE:-2000x}"
cd "$(dirname "$0")/.."
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz: $pkg $target ($budget)"
    go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$budget" -fuzzminimizetime "$minimize"
  done
done
