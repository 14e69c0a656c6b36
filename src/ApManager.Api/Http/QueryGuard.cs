using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using ApManager.Api.Problems;
using Microsoft.AspNetCore.Mvc;

namespace ApManager.Api.Http;

/// <summary>The query parameters an endpoint takes.</summary>
public sealed record AllowedQueryMetadata(IReadOnlySet<string> Names)
{
    /// <summary>Each typed parameter the handler binds from the query: name to type (resolved once per endpoint).</summary>
    internal ConcurrentDictionary<Endpoint, IReadOnlyDictionary<string, Type>> Types { get; } = new();
}

/// <summary>
/// Checks query parameters before the handler binds them: an unknown parameter (a typo must never
/// silently do nothing), a repeated one, or a value that does not convert to the type the handler
/// declares is a 400 problem naming the parameter.
/// </summary>
public static class QueryGuard
{
    public static TBuilder AllowQuery<TBuilder>(this TBuilder builder, params string[] names) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AllowedQueryMetadata(new HashSet<string>(names, StringComparer.OrdinalIgnoreCase)))
            .ProducesProblemType(ProblemCatalog.InvalidQuery);

    /// <summary>After routing and access control, before the endpoint runs.</summary>
    public static IApplicationBuilder UseQueryGuard(this IApplicationBuilder app) => app.Use((context, next) =>
        context.Request.QueryString.HasValue && context.GetEndpoint() is { } endpoint &&
        endpoint.Metadata.GetMetadata<AllowedQueryMetadata>() is { } allowed && Check(context, endpoint, allowed) is { } problem
            ? problem.ExecuteAsync(context)
            : next(context));

    private static IResult? Check(HttpContext context, Endpoint endpoint, AllowedQueryMetadata allowed)
    {
        IReadOnlyDictionary<string, Type>? types = null;
        foreach (var (key, values) in context.Request.Query)
        {
            if (!allowed.Names.Contains(key))
            {
                var known = allowed.Names.Count == 0 ? "This call takes no query parameters." : $"Known parameters: {string.Join(", ", allowed.Names)}.";
                return ProblemFactory.InvalidQuery(context, key, values.ToString(), $"Unknown parameter. {known}");
            }
            if (values.Count > 1)
            {
                return ProblemFactory.InvalidQuery(context, key, values.ToString(), "Give the parameter once.");
            }
            types ??= allowed.Types.GetOrAdd(endpoint, TypesOf);
            if (types.TryGetValue(key, out var type) && !Converts(values.ToString(), type))
            {
                return ProblemFactory.InvalidQuery(context, key, values.ToString(), "The value does not convert to the parameter's type.");
            }
        }
        return null;
    }

    /// <summary>As the framework binds them: an empty value is null for a nullable parameter.</summary>
    private static bool Converts(string value, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null && value.Length == 0)
        {
            return true;
        }
        return (underlying ?? type) switch
        {
            var t when t == typeof(bool) => bool.TryParse(value, out _),
            var t when t == typeof(int) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            var t when t == typeof(long) => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ => true,
        };
    }

    /// <summary>The handler's <c>[FromQuery]</c> parameters, including those of an <c>[AsParameters]</c> record.</summary>
    private static IReadOnlyDictionary<string, Type> TypesOf(Endpoint endpoint)
    {
        var types = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase);
        if (endpoint.Metadata.GetMetadata<MethodInfo>() is not { } method)
        {
            return types;
        }
        foreach (var parameter in method.GetParameters())
        {
            if (parameter.GetCustomAttribute<FromQueryAttribute>() is { } query)
            {
                types[query.Name ?? parameter.Name!] = parameter.ParameterType;
            }
            else if (parameter.GetCustomAttribute<AsParametersAttribute>() is not null)
            {
                foreach (var property in parameter.ParameterType.GetProperties())
                {
                    if (property.GetCustomAttribute<FromQueryAttribute>() is { } fromQuery)
                    {
                        types[fromQuery.Name ?? property.Name] = property.PropertyType;
                    }
                }
            }
        }
        return types;
    }
}
