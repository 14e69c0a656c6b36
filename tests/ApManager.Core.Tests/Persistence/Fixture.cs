using System.Text;

namespace ApManager.Core.Tests.Persistence;

/// <summary>The byte-exact files of <c>Fixtures/</c> (provenance in its README).</summary>
internal static class Fixture
{
    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Persistence", "Fixtures", name));

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
