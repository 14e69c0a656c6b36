using System.Net;
using System.Net.Http.Headers;
using System.Text;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Bus;

public class MaskRequestBodyTests
{
    [Theory]
    [InlineData("{\"mask\":")]
    [InlineData("[\"-7\"]")]
    [InlineData("{\"mask\": 5}")]
    [InlineData("{\"mask\": true}")]
    [InlineData("{\"mask\":\"+1\",\"extra\":1}")]
    [InlineData("{}")]
    [InlineData("{\"mask\": null}")]
    [InlineData("null")]
    [InlineData("\"-7\"")]
    [InlineData("{\"mask\":\"-7\",}")]
    [InlineData("{\"mask\":\"-7\"} // comment")]
    [InlineData("")]
    public async Task MalformedJsonBodyIsInvalidBodyAndChangesNothing(string json)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PutAsync("/api/bus/apmask", Json(json));

        await AssertProblemAsync(response, 400, "/problems/invalid-body");
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task InvalidUtf8InAJsonBodyIsInvalidBody()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var content = new ByteArrayContent([.. "{\"mask\":\"-7"u8, 0xff, 0xfe, .. "\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await client.PutAsync("/api/bus/apmask", content);

        await AssertProblemAsync(response, 400, "/problems/invalid-body");
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data")]
    public async Task OtherContentTypesAreUnsupportedMediaType(string mediaType)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PutAsync("/api/bus/apmask", new StringContent("<mask>-7</mask>", Encoding.UTF8, mediaType));

        await AssertProblemAsync(response, 415, "/problems/unsupported-media-type");
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task MissingContentTypeIsUnsupportedMediaType()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var content = new ByteArrayContent("{\"mask\":\"-7\"}"u8.ToArray());

        using var response = await client.PutAsync("/api/bus/apmask", content);

        await AssertProblemAsync(response, 415, "/problems/unsupported-media-type");
    }

    [Fact]
    public async Task MissingBodyIsRefused()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await SendAsync(client, HttpMethod.Put, "/api/bus/apmask");

        Assert.True((int)response.StatusCode is 400 or 415, $"got {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task MaskBodyOver8KiBIsPayloadTooLarge()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var before = await StateAsync(client);

        using var response = await client.PutAsync("/api/bus/apmask", Json("{\"mask\":\"" + new string(',', 70_000) + "\"}"));

        var problem = await AssertProblemAsync(response, 413, "/problems/payload-too-large");
        Assert.Equal(ApManager.Api.Http.RequestInput.MaxMaskBytes, (int?)problem["limit"]);
        await AssertUnchangedAsync(client, before);
    }

    [Fact]
    public async Task ChunkedBodyOver64KiBIsPayloadTooLarge()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string('f', 70_000))));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        content.Headers.ContentLength = null;

        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/bus/apmask") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);

        await AssertProblemAsync(response, 413, "/problems/payload-too-large");
    }

    [Theory]
    [InlineData("application/json", "{\"mask\":\"-3\"}")]
    [InlineData("text/plain", "-3\n")]
    public async Task ChunkedBodyWithoutContentLengthIsReadWhole(string mediaType, string body)
    {
        // Bodies with a Content-Length are read into an array of that size; without one, in pooled chunks.
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        content.Headers.ContentLength = null;

        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/bus/apmask") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var change = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.StartsWith("0xe9", (string?)change["apmask"]);
    }

    [Fact]
    public async Task TextPlainBodyOver64KiBIsPayloadTooLarge()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PutAsync("/api/bus/aqmask", Text(new string(',', 65 * 1024)));

        await AssertProblemAsync(response, 413, "/problems/payload-too-large");
    }

    [Fact]
    public async Task PostOnAMaskIsMethodNotAllowedProblem()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.PostAsync("/api/bus/apmask", Json("""{"mask":"-7"}"""));

        var problem = await AssertProblemAsync(response, 405, "/problems/method-not-allowed");
        Assert.Equal("/api/bus/apmask", (string?)problem["instance"]);
        Assert.Contains("PUT", response.Content.Headers.Allow);
    }

    [Fact]
    public async Task DeleteOnTheBusIsMethodNotAllowedProblem()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.DeleteAsync("/api/bus");

        await AssertProblemAsync(response, 405, "/problems/method-not-allowed");
    }
}
