namespace OpenCode.Runtime;

/// <summary>The names of the Orleans storage providers the grains use.</summary>
public static class OpenCodeStorage
{
    public const string Name = "store";
}
