#!/usr/bin/env bash
# Issue 7's scale check: ready times (demo seed; restart on 256 x 256 with 4,096 devices), RSS
# after restart and after mixed wrk load. Usage: tests/ApManager.LoadBench/run-scale.sh
#        [--mixed-seconds 60] [--connections 32] [--json FILE]
exec "$(dirname "$0")/bench.sh" scale "$@"
