namespace OpenCode.Runtime.Security;

/// <summary>What a host is to the allow-list: only hosts an operator names without a wildcard reach the last two.</summary>
public enum HostKind
{
    /// <summary>Any other address or name (private ranges included: the operator lists those it allows).</summary>
    Public,

    /// <summary>This machine: 127.0.0.0/8, ::1, <c>localhost</c> and names under <c>.localhost</c>.</summary>
    Loopback,

    /// <summary>
    /// Link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254, 100.100.100.200) and the
    /// unspecified ones (0.0.0.0/8, ::), which reach this machine.
    /// </summary>
    Internal,
}
