using ApManager.Api.Access;

namespace ApManager.Api.Tests.Access;

public class ApiKeyStoreTests
{
    [Theory]
    [InlineData("apm_short")]
    [InlineData("apm_ключ-with-non-ascii-ü")]
    [InlineData(null)] // a key longer than the stack buffer, hashed from the heap
    public void AKeyIsFoundByItsHashAndNoOtherTextMatchesIt(string? key)
    {
        key ??= "apm_" + new string('k', 10_000);
        var store = new ApiKeyStore([Key("other", "apm_other"), Key("this", key)]);

        Assert.Equal("this", store.Find(key)?.Name);
        Assert.Null(store.Find(key + "x"));
        Assert.Null(store.Find(key[..^1]));
        Assert.Null(store.Find(""));
    }

    private static ApiKey Key(string name, string key)
    {
        Assert.True(ApiKeyStore.TryParseHash(ApiKeyStore.HashText(key), out var hash));
        return new ApiKey(name, Roles.Admin, hash);
    }
}
