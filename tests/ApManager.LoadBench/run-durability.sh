#!/usr/bin/env bash
# Issue 5's durability figures in one run on one disk: raw SQLite commits/s vs accepted durable
# mask changes/s over HTTP with 1 and 32 clients. Usage: tests/ApManager.LoadBench/run-durability.sh [seconds] [dir]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-5}"
dir="${2:-$PWD/.bench}"
dotnet build -c Release src/ApManager.Api -v q -nologo
dotnet build -c Release tests/ApManager.LoadBench -v q -nologo
dotnet tests/ApManager.LoadBench/bin/Release/net10.0/ApManager.LoadBench.dll durability \
  --api src/ApManager.Api/bin/Release/net10.0/ApManager.Api.dll --dir "$dir" --seconds "$seconds"
