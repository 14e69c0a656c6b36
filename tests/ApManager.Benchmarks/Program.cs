using BenchmarkDotNet.Running;

// Pick benchmarks with --filter, e.g. --filter '*InUse*' --job short (see README.md).
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
