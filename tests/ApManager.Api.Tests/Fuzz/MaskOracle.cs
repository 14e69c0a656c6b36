using System.Text.Json;
using ApManager.Core.Masks;
using ApManager.Core.State;
using static ApManager.Api.Tests.Fuzz.ProblemOracle;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>
/// What SPEC §2.2 and §4 say about a mask write, checked against the bytes the generator sent and,
/// where it knows them, the masks it expects.
/// </summary>
public sealed class MaskOracle(FuzzFailures failures)
{
    public int SyntaxChecks { get; private set; }

    public int ModelChecks { get; private set; }

    /// <summary>SPEC §2.2: over 4096 bytes is E2BIG and never succeeds; positions lie inside the input.</summary>
    public void CheckSyntax(int index, FuzzRequest r, int status, JsonElement? problem)
    {
        if (r.MaskBytes.Count == 0 || r.Method == "HEAD")
        {
            return;
        }
        SyntaxChecks++;
        if (status is >= 200 and < 300 && r.MaskBytes.Any(m => m.Value.Length > 4096))
        {
            failures.Fail($"mask-e2big-accepted {r.Route}", $"#{index} accepted a mask write of {r.MaskBytes.Max(m => m.Value.Length)} bytes", r);
        }
        if (problem is not { } p || Type(p) != "/problems/invalid-mask")
        {
            return;
        }
        var attribute = Member(p, "attribute", JsonValueKind.String)?.GetString();
        var errno = Member(p, "errno", JsonValueKind.String)?.GetString();
        var position = Member(p, "position", JsonValueKind.Number)?.GetInt32();
        if (attribute is null || !r.MaskBytes.TryGetValue(attribute, out var bytes))
        {
            failures.Fail($"mask-attribute {r.Route}", $"#{index} invalid-mask names attribute {attribute ?? "(none)"}", r);
            return;
        }
        var expectedErrno = bytes.Length > 4096 ? "E2BIG" : "EINVAL";
        if (errno != expectedErrno || position is not { } at || at < 0 || at > Math.Min(bytes.Length, 4096) ||
            Member(p, "input", JsonValueKind.String) is null)
        {
            failures.Fail($"mask-problem {r.Route}", $"#{index} {attribute} of {bytes.Length} bytes: errno {errno}, position {position} (expected {expectedErrno}, 0..{Math.Min(bytes.Length, 4096)})", r);
        }
    }

    /// <summary>
    /// Where the generator knows what a mask write does (valid syntax it built and did not
    /// mutate), a 2xx must show exactly that mask (a dry run too), and a write that sets no new
    /// bit can never be refused as in use (SPEC §4: clearing is never checked).
    /// </summary>
    public void CheckModel(int index, FuzzRequest r, int status, JsonElement? problem, byte[]? body, ApSnapshot before)
    {
        if (r.MaskModels.Count == 0)
        {
            return;
        }
        var current = new Dictionary<string, ApMask> { ["apmask"] = before.Bus.Apmask, ["aqmask"] = before.Bus.Aqmask };
        if (status is >= 200 and < 300 && body is not null)
        {
            ModelChecks++;
            using var document = JsonDocument.Parse(body);
            foreach (var (attribute, model) in r.MaskModels)
            {
                var expected = model(current[attribute]).ToString();
                var shown = Member(document.RootElement, attribute, JsonValueKind.String)?.GetString();
                if (shown != expected)
                {
                    failures.Fail($"mask-result {r.Route}", $"#{index} {attribute} write on {current[attribute]} answered {shown}, expected {expected}", r);
                }
            }
        }
        var setsNothing = r.MaskModels.Count == r.MaskBytes.Count &&
            r.MaskModels.All(m => m.Value(current[m.Key]).Except(current[m.Key]).IsEmpty);
        if (setsNothing && Type(problem) == "/problems/queues-in-use")
        {
            failures.Fail($"mask-clear-refused {r.Route}", $"#{index} a write that sets no new bit was refused as in use", r);
        }
    }
}
