using System.Text.Json.Nodes;
using ApManager.Api.Access;
using ApManager.Api.Http;
using ApManager.Api.Problems;
using ApManager.Core.Audit;
using ApManager.Core.Journal;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ApManager.Api.Audit;

/// <summary>The audit trail: every mutation attempt, accepted, refused or dry run.</summary>
public static class AuditEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>How an attempt ended: the HTTP status it was answered with and, when refused, the problem type.</summary>
    public sealed record AuditOutcomeDto(int Status, string? ProblemType);

    /// <summary>One audit record.</summary>
    public sealed record AuditRecordDto(
        long Seq,
        DateTimeOffset Time,
        string Actor,
        string Action,
        string Target,
        string? Input,
        AuditOutcomeDto Outcome,
        bool DryRun,
        long VersionBefore,
        long VersionAfter,
        JsonNode? Before,
        JsonNode? After,
        JsonNode? Details,
        IReadOnlyList<string> Events)
    {
        public static AuditRecordDto From(AuditRecord r) => new(
            r.Seq, r.Time, r.Actor, r.Action, r.Target, r.Input,
            new AuditOutcomeDto(StatusOf(r), r.Refusal is null ? null : $"/problems/{r.Refusal}"),
            r.DryRun, r.VersionBefore, r.VersionAfter,
            Parse(r.Before), Parse(r.After), Parse(r.Details), r.Events);

        private static JsonNode? Parse(string? json) => json is null ? null : JsonNode.Parse(json);

        private static int StatusOf(AuditRecord r)
        {
            if (r.Refusal is { } code)
            {
                return ProblemCatalog.Find(code)?.Status ?? 400;
            }
            return r.Action switch
            {
                "mdev.create" => 201, // an accepted create (dry run included) answers 201 Created
                "mdev.delete" when !r.DryRun => 204,
                _ => 200,
            };
        }
    }

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/audit").WithTags("Audit").Read().MapMethods("/", HeadRequests.GetAndHead, List)
            .WithName("ListAudit")
            .WithSummary("Read the audit trail")
            .WithDescription($"Every mutation attempt, oldest first: accepted, refused (with its offending APQNs in `details`) and dry runs. Page with `after` (the last `seq` you have, default 0) and `limit` (1..{MaxLimit}, default {DefaultLimit}). Only durable records are listed.")
            .ProducesProblemType(ProblemCatalog.InvalidQuery)
            .AllowQuery("after", "limit");
        return routes;
    }

    public static Results<Ok<AuditRecordDto[]>, ProblemHttpResult> List(HttpContext context, IStateJournal journal, [FromQuery] long? after, [FromQuery] int? limit)
    {
        if (after is < 0)
        {
            return ProblemFactory.InvalidQuery(context, "after", after.ToString(), "Use a sequence number >= 0.");
        }
        if (limit is < 1 or > MaxLimit)
        {
            return ProblemFactory.InvalidQuery(context, "limit", limit.ToString(), $"Use 1..{MaxLimit}.");
        }
        var records = journal.ReadAudit(after ?? 0, limit ?? DefaultLimit);
        return TypedResults.Ok(records.Select(AuditRecordDto.From).ToArray());
    }
}
