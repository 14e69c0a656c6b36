#!/usr/bin/env bash
# Runs one LoadBench mode: installs wrk when missing, builds the API and LoadBench (Release), and
# runs the mode on loopback with the stores and result files under .bench/ (git-ignored).
# Usage: tests/ApManager.LoadBench/bench.sh <compare|durability|scale> [options]; see README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
mode="${1:?usage: bench.sh <compare|durability|scale> [options]}"
shift
# wrk is the load generator: Debian's package, installed the way .ci/run installs Chromium
# (apt-get as root, sudo where we are not root and have it, a warning otherwise; LoadBench
# then stops with a clear message). Benchmarks are never part of CI's test command.
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk) || echo "warning: could not install wrk; LoadBench needs it" >&2
  elif command -v sudo >/dev/null 2>&1; then
    (sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y wrk) || echo "warning: could not install wrk; LoadBench needs it" >&2
  else
    echo "warning: wrk is missing and this is not root: apt-get install wrk, or LoadBench will stop" >&2
  fi
fi
dotnet build -c Release src/ApManager.Api -v q -nologo
dotnet build -c Release tests/ApManager.LoadBench -v q -nologo
exec dotnet tests/ApManager.LoadBench/bin/Release/net10.0/ApManager.LoadBench.dll "$mode" \
  --api src/ApManager.Api/bin/Release/net10.0/ApManager.Api.dll --dir "$PWD/.bench" "$@"
