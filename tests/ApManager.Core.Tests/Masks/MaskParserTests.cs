using System.Text;
using ApManager.Core;
using ApManager.Core.Masks;
using static ApManager.Core.Tests.Support.MaskText;

namespace ApManager.Core.Tests.Masks;

/// <summary>
/// SPEC §2: every rule and example of the mask write grammar. Columns: input (C# escapes, so
/// <c>\n</c> and <c>\0</c> are single bytes), mask before, and the mask after or errno @ position.
/// Masks are written as "Z", "F" or leading hex digits padded with zeros (the §2.6 notation).
/// </summary>
public class MaskParserTests
{
    private static readonly string Zeros63 = new('0', 63);
    private static readonly string Fs63 = new('f', 63);

    /// <summary>SPEC §2.6, row by row.</summary>
    public static TheoryData<string, string, string> SpecExamples => new()
    {
        { "x8\n", "F", "8" },
        { "0X8", "F", "EINVAL@1" },
        { "0x" + new string('0', 65), "F", "EINVAL@66" },
        { "\n", "F", "Z" },
        { "+1-3-2", "Z", "5" },
        { "+07,+010", "Z", "0180" },
        { "+09", "Z", "EINVAL@2" },
        { "+0x10000000000000005", "Z", "04" },
        { "+0x100000000", "Z", "EINVAL@1" },
        { "+5-2", "Z", "EINVAL@3" },
        { "-0-255,+255", "F", "" + Zeros63 + "1" },
        { "+2\0+zz", "Z", "2" },
    };

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void EverySpecExampleGivesTheDocumentedResult(string input, string before, string expected)
    {
        var result = MaskParser.Parse(Encoding.UTF8.GetBytes(input), Mask(before));

        var want = expected.StartsWith("EINVAL@", StringComparison.Ordinal) ? expected : Expand(expected);
        Assert.Equal(want, result.Success ? result.Mask.ToString() : $"{result.Errno}@{result.Position}");
    }

    public static TheoryData<string, string, string> AbsoluteAccepted => new()
    {
        // Prefixes: "0x", or one lower-case "x", or none.
        { "0x80", "F", "80" },
        { "x80", "F", "80" },
        { "80", "F", "80" },
        { "8", "Z", "8" },
        { "0", "F", "Z" },
        { "0xAbC", "Z", "abc" },
        { "0xF9FF", "Z", "f9ff" },
        // Odd digit counts are left-aligned; missing digits are zero.
        { "0x5", "Z", "5" },
        { "0x123", "Z", "123" },
        { "x123\n", "Z", "123" },
        // Zero digits clear the mask.
        { "0x", "F", "Z" },
        { "x", "F", "Z" },
        { "0x\n", "F", "Z" },
        { "x\n", "F", "Z" },
        { "\n", "F", "Z" },
        // Exactly 64 digits, with and without the one trailing newline and prefix.
        { "0x" + new string('f', 64), "Z", "F" },
        { "0x" + new string('f', 64) + "\n", "Z", "F" },
        { "x" + new string('0', 64), "F", "Z" },
        { new string('f', 64), "Z", "F" },
        { "0x" + new string('0', 63) + "1", "Z", new string('0', 63) + "1" },
        { "0xf9" + new string('f', 62), "Z", "f9" + new string('f', 62) },
    };

    [Theory]
    [MemberData(nameof(AbsoluteAccepted))]
    public void AbsoluteWriteBuildsTheMaskFromZeroIgnoringTheCurrentOne(string input, string before, string after) =>
        AssertAccepted(input, before, after);

    public static TheoryData<string, int> AbsoluteRejected => new()
    {
        { "0X8", 1 },                                   // upper-case X is junk after digit 0
        { "X8", 0 },
        { "xx8", 1 },
        { "0xx8", 2 },
        { "0x0x8", 3 },
        { "0x" + new string('0', 65), 66 },             // a 65th digit, even 0
        { "0x" + new string('f', 64) + "0", 66 },
        { "x" + new string('0', 65), 65 },
        { new string('0', 65), 64 },
        { "0x8\n\n", 4 },                               // a second newline
        { "\n\n", 1 },
        { "0x\n0", 3 },                                 // the newline must end the input
        { "0x8\n ", 4 },
        { "0x8\r", 3 },
        { "0x8\r\n", 3 },
        { "0x8 ", 3 },
        { "0x8\t", 3 },
        { "0x8,", 3 },
        { "0x8+1", 3 },
        { "0x8-", 3 },
        { " 0x8", 0 },                                  // leading whitespace
        { "\t0x8", 0 },
        { "0xg", 2 },                                   // non-hex letter
        { "0x8g", 3 },
        { "y", 0 },
    };

    [Theory]
    [MemberData(nameof(AbsoluteRejected))]
    public void AbsoluteJunkIsRejectedAtTheFirstBadCharacter(string input, int position) =>
        AssertRejected(input, "F", Errno.EINVAL, position);

    public static TheoryData<string, string, string> RelativeAccepted => new()
    {
        { "+0", "Z", "8" },
        { "+255", "Z", Zeros63 + "1" },
        { "-0", "F", "7" + Fs63 },
        { "+9", "Z", "004" },
        // Ranges; a '-' right after a number always starts a range.
        { "+0-255", "Z", "F" },
        { "+4-7", "Z", "0f" },
        { "+255-255", "Z", Zeros63 + "1" },
        { "-1-3", "F", "8" + Fs63 },
        { "+1-2-3", "Z", "6" },
        { "+1-2-3", "F", "e" + Fs63 },
        { "+1-3-2", "Z", "5" },
        // Separators: runs of ',' and '\n', optional before a sign, allowed at the end.
        { "+1+2", "Z", "6" },
        { "+1-2+3", "Z", "7" },
        { "+1,,\n,+2\n\n", "Z", "6" },
        { "+1\n", "Z", "4" },
        { "+1,", "Z", "4" },
        { "+1,\n,\n", "Z", "4" },
        // Last wins.
        { "+0-255,-128", "Z", new string('f', 32) + "7" + new string('f', 31) },
        { "-128,+0-255", "Z", "F" },
        { "+5,-5", "Z", "Z" },
        { "-5,+5", "Z", "04" },
        // Octal: a leading 0.
        { "+07", "Z", "01" },
        { "+010", "Z", "008" },
        { "+07,+010", "Z", "0180" },
        { "+00", "Z", "8" },
        { "+0377", "Z", Zeros63 + "1" },
        { "+010-011", "Z", "00c" },
        // Hexadecimal: 0, then x or X, then a hex digit; digits of either case.
        { "+0x10", "Z", "00008" },
        { "+0X1f", "Z", "00000001" },
        { "+0xff", "Z", Zeros63 + "1" },
        { "+0x1F-0x20", "Z", "0000000180" },
        { "+0x0-0x3", "Z", "f" },
        // Silent wrap modulo 2^64 before the range check.
        { "+0x10000000000000005", "Z", "04" },
        { "+18446744073709551621", "Z", "04" },
        { "+18446744073709551616", "Z", "8" },
        // NUL ends the input.
        { "+2\0+zz", "Z", "2" },
        { "+1-2\0junk", "Z", "6" },
        { "+3\n\0+", "Z", "1" },
        // Relative writes edit the current mask.
        { "-5,-6", "F", "f9" + new string('f', 62) },
        { "+5", "f9" + new string('f', 62), "fd" + new string('f', 62) },
    };

    [Theory]
    [MemberData(nameof(RelativeAccepted))]
    public void RelativeWriteEditsTheCurrentMaskLeftToRight(string input, string before, string after) =>
        AssertAccepted(input, before, after);

    public static TheoryData<string, int> RelativeRejected => new()
    {
        // Octal and hexadecimal numbers end at the first non-digit of their base.
        { "+08", 2 },
        { "+09", 2 },
        { "+0x", 2 },
        { "+0X", 2 },
        { "+0xg", 2 },
        { "+0x1g", 4 },
        { "+1a", 2 },
        // Missing number: where it should start, the end of the input included.
        { "+", 1 },
        { "-", 1 },
        { "+,1", 1 },
        { "++1", 1 },
        { "+-1", 1 },
        { "+ 1", 1 },
        { "+\n1", 1 },
        { "+a", 1 },
        { "+x1", 1 },
        { "+1-", 3 },
        { "+1-,", 3 },
        { "+1--2", 3 },
        { "+1-+2", 3 },
        { "+1,+", 4 },
        { "+5-5-", 5 },
        { "+1-\0+2", 3 },
        // A sign is mandatory for every term.
        { "+1,2", 3 },
        { "+1,,2", 4 },
        { "+1-2x", 4 },
        // Only ',' and '\n' separate terms.
        { "+1\r", 2 },
        { "+1 ", 2 },
        { "+1\t", 2 },
        { "+1;+2", 2 },
        { "+1, +2", 3 },
        { "+1\n\r", 3 },
        // a >= 256 at a's first character (a 0x prefix is part of the number).
        { "+256", 1 },
        { "-1000", 1 },
        { "+1,+256", 4 },
        { "+0x100", 1 },
        { "+0400", 1 },
        { "+0x100000000", 1 },
        { "+4294967296", 1 },
        { "+18446744073709551872", 1 },
        { "+1-2,+300-301", 6 },
        // z < a and z >= 256 at z's first character.
        { "+5-2", 3 },
        { "+10-9", 4 },
        { "+0x10-0x5", 6 },
        { "+1-256", 3 },
        { "+1-0x100", 3 },
        { "+1-4294967297", 3 },
    };

    [Theory]
    [MemberData(nameof(RelativeRejected))]
    public void RelativeGrammarErrorIsEinvalAtTheFirstRejectedByte(string input, int position) =>
        AssertRejected(input, "Z", Errno.EINVAL, position);

    [Theory]
    [InlineData("Z")]
    [InlineData("F")]
    [InlineData("f9")]
    public void EmptyInputIsSuccessWithTheCurrentMaskUnchanged(string before)
    {
        var current = Mask(before);

        var fromBytes = MaskParser.Parse([], current);
        var fromString = MaskParser.Parse("", current);

        Assert.True(fromBytes.Success);
        Assert.Equal(Expand(before), fromBytes.Mask.ToString());
        Assert.True(fromString.Success);
        Assert.Equal(Expand(before), fromString.Mask.ToString());
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("\0+1")]
    [InlineData("\0junk")]
    [InlineData("0x\0ff")]
    public void InputStartingWithNulOrEndingBeforeAnyDigitClearsTheMask(string input) =>
        AssertAccepted(input, "F", "Z");

    [Fact]
    public void NulTruncatesAnAbsoluteWriteAndIgnoresJunkAfterIt() =>
        AssertAccepted("0x8\0zz", "Z", "8");

    [Fact]
    public void InputOf4097BytesIsE2bigAtPosition4096EvenIfOtherwiseValid() =>
        AssertRejected("+1" + new string(',', 4095), "Z", Errno.E2BIG, 4096);

    [Fact]
    public void LengthIsCheckedBeforeNulTruncation() =>
        AssertRejected("\0" + new string('z', 4096), "F", Errno.E2BIG, 4096);

    [Fact]
    public void HugeInputIsE2big() =>
        AssertRejected(new string('f', 10_000), "Z", Errno.E2BIG, 4096);

    [Fact]
    public void InputOfExactly4096BytesIsAcceptedWhenValid()
    {
        var relative = "+1" + new string(',', 4094);
        var truncated = "0x8\0" + new string('z', 4092);
        Assert.Equal(4096, relative.Length);
        Assert.Equal(4096, truncated.Length);

        AssertAccepted(relative, "Z", "4");
        AssertAccepted(truncated, "Z", "8");
    }

    [Fact]
    public void InputOfExactly4096BytesWithAGrammarErrorIsEinvalNotE2big() =>
        AssertRejected("+1" + new string(',', 4093) + ";", "Z", Errno.EINVAL, 4095);

    [Fact]
    public void StringAndByteOverloadsAgreeOnEveryTableRow()
    {
        var rows = SpecExamples.Select(r => (string)r[0])
            .Concat(AbsoluteAccepted.Select(r => (string)r[0]))
            .Concat(AbsoluteRejected.Select(r => (string)r[0]))
            .Concat(RelativeAccepted.Select(r => (string)r[0]))
            .Concat(RelativeRejected.Select(r => (string)r[0]));
        var current = Mask("f9");
        foreach (var input in rows)
        {
            Assert.Equal(MaskParser.Parse(Encoding.UTF8.GetBytes(input), current), MaskParser.Parse(input, current));
        }
    }

    private static void AssertAccepted(string input, string before, string after)
    {
        var result = MaskParser.Parse(Encoding.UTF8.GetBytes(input), Mask(before));

        Assert.True(result.Success, $"'{Escape(input)}' was rejected: {result.Errno} @{result.Position}");
        Assert.Equal(Expand(after), result.Mask.ToString());
    }

    private static void AssertRejected(string input, string before, Errno errno, int position)
    {
        var result = MaskParser.Parse(Encoding.UTF8.GetBytes(input), Mask(before));

        Assert.False(result.Success, $"'{Escape(input)}' was accepted as {result.Mask}");
        Assert.Equal((errno, position), (result.Errno, result.Position));
    }

    private static string Escape(string s) => s.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
