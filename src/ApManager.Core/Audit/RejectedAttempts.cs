using ApManager.Core.Journal;

namespace ApManager.Core.Audit;

/// <summary>
/// Puts mutation attempts that were refused before they reached the rules (malformed body, bad
/// path value, missing credential, rate limit) into the audit trail, so it holds every attempt.
/// </summary>
public sealed class RejectedAttempts(IStateJournal journal, AuditRecorder recorder, Func<long> currentVersion)
{
    /// <summary>Records one such attempt; the task completes when the record is durable.</summary>
    public Task Record(string action, string target, string? input, string? actor, string problem)
    {
        var durable = journal.Append(new JournalEntry(recorder.Rejected(action, target, input, actor, problem, currentVersion()), null));
        journal.Flush();
        return durable;
    }
}
