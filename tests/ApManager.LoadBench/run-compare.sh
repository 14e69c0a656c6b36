#!/usr/bin/env bash
# Issue 7's load benchmark, driven by wrk: ApManager (in-memory and durable) against a bare
# Kestrel app, alternating rounds, median of per-round ratios, loopback only, bounded in time.
# Usage: tests/ApManager.LoadBench/run-compare.sh [--scenario get-bus,put-refused-memory]
#        [--seconds 4] [--rounds 5] [--warmup 3] [--connections 32] [--threads 2] [--json FILE]
exec "$(dirname "$0")/bench.sh" compare "$@"
