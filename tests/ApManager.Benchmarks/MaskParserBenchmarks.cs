using System.Text;
using ApManager.Core.Masks;
using BenchmarkDotNet.Attributes;

namespace ApManager.Benchmarks;

/// <summary>SPEC §2: parsing what a user writes to apmask/aqmask, from the received bytes. Target ≤ 1 µs each.</summary>
[MemoryDiagnoser]
public class MaskParserBenchmarks
{
    private byte[] _relativeTwoBits = [];
    private byte[] _relativeRanges = [];
    private byte[] _absolute = [];
    private ApMask _demoApmask;

    [GlobalSetup]
    public void Setup()
    {
        _relativeTwoBits = Encoding.UTF8.GetBytes("+5,+6");
        _relativeRanges = Encoding.UTF8.GetBytes("-0-255,+255");
        _absolute = Encoding.UTF8.GetBytes("0xf9" + new string('f', 62) + "\n");
        _demoApmask = ApMask.All.Without(5).Without(6);
        Check(MaskParser.Parse(_relativeTwoBits, _demoApmask), ApMask.All);
        Check(MaskParser.Parse(_relativeRanges, ApMask.All), ApMask.Of(255));
        Check(MaskParser.Parse(_absolute, ApMask.Empty), _demoApmask);
    }

    [Benchmark]
    public MaskParseResult RelativeTwoBits() => MaskParser.Parse(_relativeTwoBits, _demoApmask);

    [Benchmark]
    public MaskParseResult RelativeFullRange() => MaskParser.Parse(_relativeRanges, ApMask.All);

    [Benchmark]
    public MaskParseResult AbsoluteFull() => MaskParser.Parse(_absolute, ApMask.Empty);

    private static void Check(MaskParseResult result, ApMask expected)
    {
        if (!result.Success || result.Mask != expected)
        {
            throw new InvalidOperationException($"Parser setup check failed: {result}.");
        }
    }
}
