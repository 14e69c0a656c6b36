#!/usr/bin/env bash
# Issue 5's durability figures in one run on one disk, driven by wrk: accepted durable mask
# changes over HTTP with 1 and 32 connections against the bare single-commit PUT and raw SQLite
# commits/s. Usage: tests/ApManager.LoadBench/run-durability.sh [--seconds 4] [--rounds 5]
#        [--warmup 3] [--connections 32] [--dir <folder on the disk to measure>] [--json FILE]
exec "$(dirname "$0")/bench.sh" durability "$@"
