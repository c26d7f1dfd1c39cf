namespace OpenCode.Runtime.Privacy;

/// <summary>
/// An exception as a log shows it: its message and its full text (type, message, stack, inner exceptions) masked
/// (<see cref="SensitiveText"/>). The exception argument of a log call is not redacted, and the messages of failed
/// grain calls name the grain, whose id may hold a conversation's owner; log calls pass this one instead.
/// </summary>
public sealed class MaskedException : Exception
{
    private readonly string _text;

    private MaskedException(string message, string text)
        : base(message) => _text = text;

    public static MaskedException From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new MaskedException(SensitiveText.Mask(exception.Message), SensitiveText.Mask(exception.ToString()));
    }

    /// <summary>What log providers write of an exception: the original's text, masked.</summary>
    public override string ToString() => _text;
}
