namespace OpenCode.Runtime.Models;

/// <summary>
/// A model failure as the API reports it: <see cref="Code"/> is
/// <c>model_unavailable</c> (the provider could not be reached or is temporarily unable to answer)
/// or <c>model_error</c> (the provider answered with an error). <see cref="Message"/> never holds credentials.
/// </summary>
public sealed record ModelError(string Code, string Message);
