using System.Reflection;
using System.Text.Json.Serialization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ApManager.Api.OpenApi;

/// <summary>
/// Marks as <c>required</c> every member of a record that is bound to a constructor parameter without a
/// default value and is never left out of a body: requests are read with RespectRequiredConstructorParameters
/// (such a member missing is a 400), and responses always write it (null included).
/// </summary>
internal sealed class RequiredMembersSchemaFilter : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema { Properties.Count: > 0 } concrete || context.Type.IsPrimitive || context.Type == typeof(string))
        {
            return;
        }
        var constructors = context.Type.GetConstructors(BindingFlags.Public | BindingFlags.Instance).Where(c => c.GetParameters().Length > 0).ToList();
        if (constructors.Count != 1)
        {
            return;
        }
        foreach (var parameter in constructors[0].GetParameters().Where(p => !p.HasDefaultValue))
        {
            var property = context.Type.GetProperty(parameter.Name!, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is null || property.GetCustomAttribute<JsonIgnoreAttribute>() is { Condition: not JsonIgnoreCondition.Never })
            {
                continue;
            }
            var name = concrete.Properties!.Keys.FirstOrDefault(k => string.Equals(k, property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? property.Name, StringComparison.OrdinalIgnoreCase));
            if (name is not null)
            {
                concrete.Required ??= new HashSet<string>();
                concrete.Required.Add(name);
            }
        }
    }
}
