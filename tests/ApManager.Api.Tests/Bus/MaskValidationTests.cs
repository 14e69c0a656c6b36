using System.Net;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Bus;

public class MaskValidationTests
{
    [Theory]
    [InlineData("apmask", "+5-2", 3)]
    [InlineData("apmask", "0X8", 1)]
    [InlineData("aqmask", "+09", 2)]
    [InlineData("apmask", "+256", 1)]
    [InlineData("apmask", "+0x100000000", 1)]
    [InlineData("aqmask", "5,6", 1)]
    [InlineData("apmask", "+1;+2", 2)]
    [InlineData("apmask", "+", 1)]
    [InlineData("aqmask", "+1-", 3)]
    [InlineData("apmask", "0xf\n\n", 4)]
    [InlineData("apmask", " +1", 0)]
    public async Task MalformedJsonMaskIsInvalidMaskWithAttributeInputPositionAndEinval(string attribute, string mask, int position)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await PutMaskAsync(client, attribute, mask);

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-mask");
        Assert.Equal(attribute, (string?)problem["attribute"]);
        Assert.Equal(mask, (string?)problem["input"]);
        Assert.Equal(position, (int?)problem["position"]);
        Assert.Equal("EINVAL", (string?)problem["errno"]);
        Assert.Equal($"/api/bus/{attribute}", (string?)problem["instance"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task SixtyFifthHexDigitIsRejectedAtItsPosition()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var mask = "0x" + new string('0', 65);

        using var response = await PutMaskAsync(client, "apmask", mask);

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-mask");
        Assert.Equal(66, (int?)problem["position"]);
        Assert.Equal("EINVAL", (string?)problem["errno"]);
    }

    [Fact]
    public async Task MalformedTextPlainMaskIsInvalidMaskWithTheRawInput()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PutAsync("/api/bus/apmask", Text("+5-2\n"));

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-mask");
        Assert.Equal("+5-2\n", (string?)problem["input"]);
        Assert.Equal(3, (int?)problem["position"]);
        Assert.Equal("EINVAL", (string?)problem["errno"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task JsonMaskSentAsTextPlainIsParsedAsMaskTextAndRejectedAtItsFirstByte()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PutAsync("/api/bus/apmask", Text("""{"mask":"-7"}"""));

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-mask");
        Assert.Equal(0, (int?)problem["position"]);
    }

    [Fact]
    public async Task InvalidPartBeforeANulIsStillRejected()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PutAsync("/api/bus/apmask", Json("""{"mask":"+zz\u0000-7"}"""));

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-mask");
        Assert.Equal("+zz\0-7", (string?)problem["input"]);
        Assert.Equal(1, (int?)problem["position"]);
        Assert.Equal("EINVAL", (string?)problem["errno"]);
        await AssertUnchangedAsync(client, before);
    }

    [Theory]
    [InlineData("apmask")]
    [InlineData("aqmask")]
    public async Task WriteOver4096BytesIsE2BigAtPosition4096(string attribute)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);
        var mask = "-7" + new string(',', 4095);

        using var response = await PutMaskAsync(client, attribute, mask);

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-mask");
        Assert.Equal("E2BIG", (string?)problem["errno"]);
        Assert.Equal(4096, (int?)problem["position"]);
        Assert.Equal(attribute, (string?)problem["attribute"]);
        Assert.Equal(mask, (string?)problem["input"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task TextPlainWriteOver4096BytesIsE2Big()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PutAsync("/api/bus/apmask", Text(new string('f', 4096) + "\n"));

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-mask");
        Assert.Equal("E2BIG", (string?)problem["errno"]);
        Assert.Equal(4096, (int?)problem["position"]);
    }

    [Fact]
    public async Task MultiByteCharactersCountAsBytesTowardsTheLimit()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        // 2049 characters, 4097 UTF-8 bytes, sent raw as echo would (JSON would escape them to 12 KiB: a 413).
        var mask = "+" + new string('é', 2048);

        using var response = await client.PutAsync("/api/bus/apmask", Text(mask));

        var problem = await AssertProblemAsync(response, 400, "/problems/invalid-mask");
        Assert.Equal("E2BIG", (string?)problem["errno"]);
    }

    [Fact]
    public async Task SyntaxErrorComesBeforeAStaleIfMatch()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await PutMaskAsync(client, "apmask", "+5-2", ifMatch: "\"7\"");

        await AssertProblemAsync(response, 400, "/problems/invalid-mask");
    }

    [Fact]
    public async Task ValidRelativeSyntaxEdgeCasesFollowTheKernel()
    {
        await using var app = new ApManagerApplication(new Dictionary<string, string?> { ["ApManager:Seed"] = "none" });
        using var client = app.CreateClient();

        // Last wins; octal 010 = 8; hex 0x10000000000000005 wraps to 5.
        using var response = await PutMaskAsync(client, "apmask", "-0-255,+0x10000000000000005,+010\n");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("0x0480" + new string('0', 60), (string?)(await ReadObjectAsync(response))["apmask"]);
    }
}
