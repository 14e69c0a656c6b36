namespace ApManager.Api.Problems;

/// <summary>Endpoint metadata: this endpoint can answer with that problem type.</summary>
public sealed record ProblemTypeMetadata(ProblemType Type);

public static class ProblemMetadataExtensions
{
    /// <summary>Documents a problem type in OpenAPI: its status and body class (the filter lists every type a status can carry).</summary>
    public static TBuilder ProducesProblemType<TBuilder>(this TBuilder builder, ProblemType type) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(type);
        return builder.WithMetadata(new ProblemTypeMetadata(type));
    }
}
