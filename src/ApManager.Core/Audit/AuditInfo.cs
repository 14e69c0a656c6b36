using ApManager.Core.State;

namespace ApManager.Core.Audit;

/// <summary>What the audit trail records about a call: its name, target, input and how to show the target before and after (as JSON).</summary>
public sealed record AuditInfo(string Action, string Target, string? Input, Func<ApSnapshot, string?> View);
