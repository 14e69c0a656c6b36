#!/usr/bin/env bash
# Issue 7's load benchmark: ApManager (in-memory and durable) against a bare Kestrel app, same
# client, alternating rounds, loopback only, bounded in time.
# Usage: tests/ApManager.LoadBench/run-compare.sh [seconds per round] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-5}"
connections="${2:-32}"
dotnet build -c Release src/ApManager.Api -v q -nologo
dotnet build -c Release tests/ApManager.LoadBench -v q -nologo
dotnet tests/ApManager.LoadBench/bin/Release/net10.0/ApManager.LoadBench.dll compare \
  --api src/ApManager.Api/bin/Release/net10.0/ApManager.Api.dll --seconds "$seconds" --connections "$connections" --dir "$PWD/.bench"
