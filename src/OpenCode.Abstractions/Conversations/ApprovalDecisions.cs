namespace OpenCode.Abstractions;

/// <summary>The answers to an <see cref="ApprovalRequest"/>.</summary>
public static class ApprovalDecisions
{
    /// <summary>Run this call.</summary>
    public const string Once = "once";

    /// <summary>Run this call and every later call of the same tool in this conversation without asking.</summary>
    public const string Always = "always";

    /// <summary>Do not run it; the model gets a rejection as the call's result.</summary>
    public const string Reject = "reject";

    /// <summary>Not an answer a caller gives: what an approval that outlived its expiry is treated as (a rejection).</summary>
    public const string Expired = "expired";

    public static bool IsAnswer(string? value) => value is Once or Always or Reject;

    public static bool Runs(string decision) => decision is Once or Always;
}
