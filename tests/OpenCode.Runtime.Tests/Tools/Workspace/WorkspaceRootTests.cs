using ModelContextProtocol;
using OpenCode.Runtime.Tools.Workspace;

namespace OpenCode.Runtime.Tests.Tools.Workspace;

/// <summary>Path resolution on a real directory tree with real symbolic links: each way out of the root is its own case.</summary>
public sealed class WorkspaceRootTests : IDisposable
{
    private readonly TempWorkspace _workspace = new();
    private readonly WorkspaceRoot _root;

    public WorkspaceRootTests() => _root = new WorkspaceRoot(_workspace.Root);

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public void A_relative_path_resolves_under_the_root_whether_or_not_it_exists()
    {
        _workspace.Write("src/a.txt", "a");

        Assert.Equal(_workspace.PathOf("src/a.txt"), _root.Resolve("src/a.txt"));
        Assert.Equal(_workspace.PathOf("src/new/b.txt"), _root.Resolve("src/new/b.txt"));
        Assert.Equal(_workspace.Root, _root.Resolve("."));
        Assert.Equal(_workspace.PathOf("a.txt"), _root.Resolve("./src/../a.txt"));
    }

    [Fact]
    public void An_absolute_path_inside_the_root_is_accepted()
    {
        Assert.Equal(_workspace.PathOf("notes/x.md"), _root.Resolve(_workspace.PathOf("notes/x.md")));
    }

    [Fact]
    public void Dot_dot_that_leaves_the_root_is_refused()
    {
        var refused = Assert.Throws<McpException>(() => _root.Resolve("../outside/secret.txt"));

        Assert.Equal("The path '../outside/secret.txt' is outside the workspace (paths are relative to the workspace root, and '..' may not leave it).", refused.Message);
    }

    [Fact]
    public void Dot_dot_hidden_deeper_in_the_path_is_refused()
    {
        var refused = Assert.Throws<McpException>(() => _root.Resolve("src/../../outside/secret.txt"));

        Assert.Contains("is outside the workspace", refused.Message);
    }

    [Fact]
    public void An_absolute_path_outside_the_root_is_refused()
    {
        var refused = Assert.Throws<McpException>(() => _root.Resolve(Path.Combine(_workspace.Outside, "secret.txt")));

        Assert.Contains("is outside the workspace", refused.Message);
    }

    [Fact]
    public void A_system_path_is_refused()
    {
        var refused = Assert.Throws<McpException>(() => _root.Resolve("/etc/passwd"));

        Assert.Equal("The path '/etc/passwd' is outside the workspace (paths are relative to the workspace root, and '..' may not leave it).", refused.Message);
    }

    [Fact]
    public void A_sibling_directory_whose_name_starts_with_the_roots_is_refused_as_an_absolute_path()
    {
        // '/…/work-evil/secret.txt' starts with the string '/…/work' but is not under it.
        var refused = Assert.Throws<McpException>(() => _root.Resolve(Path.Combine(_workspace.Sibling, "secret.txt")));

        Assert.Contains("is outside the workspace", refused.Message);
    }

    [Fact]
    public void A_sibling_directory_whose_name_starts_with_the_roots_is_refused_through_dot_dot()
    {
        var refused = Assert.Throws<McpException>(() => _root.Resolve("../work-evil/secret.txt"));

        Assert.Contains("is outside the workspace", refused.Message);
    }

    [Fact]
    public void A_symlink_to_a_directory_outside_is_refused()
    {
        _workspace.Link("docs", _workspace.Outside);

        var refused = Assert.Throws<McpException>(() => _root.Resolve("docs/secret.txt"));

        Assert.Equal("The path 'docs/secret.txt' leads through a symbolic link to a place outside the workspace.", refused.Message);
    }

    [Fact]
    public void A_symlink_to_a_file_outside_is_refused()
    {
        _workspace.Link("innocent.txt", Path.Combine(_workspace.Outside, "secret.txt"));

        var refused = Assert.Throws<McpException>(() => _root.Resolve("innocent.txt"));

        Assert.Contains("leads through a symbolic link to a place outside the workspace", refused.Message);
    }

    [Fact]
    public void A_relative_symlink_that_climbs_out_is_refused()
    {
        _workspace.Link("sub/up", "../../outside");

        var refused = Assert.Throws<McpException>(() => _root.Resolve("sub/up/secret.txt"));

        Assert.Contains("leads through a symbolic link to a place outside the workspace", refused.Message);
    }

    [Fact]
    public void A_symlink_to_the_sibling_with_the_roots_prefix_is_refused()
    {
        _workspace.Link("evil", _workspace.Sibling);

        var refused = Assert.Throws<McpException>(() => _root.Resolve("evil/secret.txt"));

        Assert.Contains("leads through a symbolic link to a place outside the workspace", refused.Message);
    }

    [Fact]
    public void A_chain_of_symlinks_that_ends_outside_is_refused()
    {
        // first -> second (inside) -> third (inside) -> outside
        _workspace.Link("third", _workspace.Outside);
        _workspace.Link("links/second", "../third");
        _workspace.Link("first", "links/second");

        var refused = Assert.Throws<McpException>(() => _root.Resolve("first/secret.txt"));

        Assert.Contains("leads through a symbolic link to a place outside the workspace", refused.Message);
    }

    [Fact]
    public void A_dangling_symlink_pointing_outside_is_refused_so_a_write_cannot_create_a_file_there()
    {
        var target = Path.Combine(_workspace.Outside, "created-by-the-model.txt");
        _workspace.Link("drop.txt", target);

        var refused = Assert.Throws<McpException>(() => _root.Resolve("drop.txt"));

        Assert.Contains("leads through a symbolic link to a place outside the workspace", refused.Message);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void A_symlink_loop_is_refused()
    {
        _workspace.Link("loop-a", "loop-b");
        _workspace.Link("loop-b", "loop-a");

        var refused = Assert.Throws<McpException>(() => _root.Resolve("loop-a/x"));

        Assert.Contains("more than 40 symbolic links", refused.Message);
    }

    [Fact]
    public void Symlinks_that_stay_inside_are_followed_to_their_real_path()
    {
        _workspace.Write("real/data.txt", "data");
        _workspace.Link("alias", "real");
        _workspace.Link("real/self.txt", "data.txt");

        Assert.Equal(_workspace.PathOf("real/data.txt"), _root.Resolve("alias/data.txt"));
        Assert.Equal(_workspace.PathOf("real/data.txt"), _root.Resolve("alias/self.txt"));
    }

    [Fact]
    public void Dot_dot_after_a_symlink_climbs_from_the_links_target()
    {
        // As the kernel resolves it: 'deep/..' is the parent of the target, not the directory holding the link.
        _workspace.Write("a/b/c/file.txt", "x");
        _workspace.Link("deep", "a/b/c");

        Assert.Equal(_workspace.PathOf("a/b/c/file.txt"), _root.Resolve("deep/../c/file.txt"));
    }

    [Fact]
    public void A_percent_encoded_dot_dot_slash_is_refused()
    {
        var refused = Assert.Throws<McpException>(() => _root.Resolve("%2e%2e%2foutside/secret.txt"));

        Assert.Equal("The path '%2e%2e%2foutside/secret.txt' contains a percent-encoded '.', '/', '\\' or '%' (such as %2e, %2F or %25); paths are taken literally, so write these characters as they are.", refused.Message);
    }

    [Fact]
    public void A_percent_encoded_slash_is_refused()
    {
        var refused = Assert.Throws<McpException>(() => _root.Resolve("..%2Foutside%2Fsecret.txt"));

        Assert.Contains("percent-encoded", refused.Message);
    }

    [Fact]
    public void A_percent_encoded_backslash_is_refused()
    {
        var refused = Assert.Throws<McpException>(() => _root.Resolve("..%5c..%5csecret.txt"));

        Assert.Contains("percent-encoded", refused.Message);
    }

    [Fact]
    public void A_double_encoded_dot_dot_slash_is_refused()
    {
        var refused = Assert.Throws<McpException>(() => _root.Resolve("%252e%252e%252foutside"));

        Assert.Contains("percent-encoded", refused.Message);
    }

    [Fact]
    public void An_overlong_utf8_encoded_slash_is_refused()
    {
        var refused = Assert.Throws<McpException>(() => _root.Resolve("..%c0%afoutside"));

        Assert.Contains("percent-encoded", refused.Message);
    }

    [Fact]
    public void A_NUL_character_is_refused()
    {
        var refused = Assert.Throws<McpException>(() => _root.Resolve("a.txt\0../../etc/passwd"));

        Assert.Contains("contains a NUL character", refused.Message);
    }

    [Fact]
    public void An_empty_path_is_refused()
    {
        var refused = Assert.Throws<McpException>(() => _root.Resolve(""));

        Assert.Contains("is empty", refused.Message);
    }

    [Fact]
    public void A_root_reached_through_a_symlink_works_with_paths_given_either_way()
    {
        var alias = Path.Combine(_workspace.Base, "alias-of-work");
        Directory.CreateSymbolicLink(alias, _workspace.Root);
        var root = new WorkspaceRoot(alias);

        Assert.Equal(_workspace.Root, root.FullPath);
        Assert.Equal(_workspace.PathOf("x.txt"), root.Resolve("x.txt"));
        Assert.Equal(_workspace.PathOf("x.txt"), root.Resolve(Path.Combine(alias, "x.txt")));
        Assert.Throws<McpException>(() => root.Resolve("../outside/secret.txt"));
    }

    [Fact]
    public void Percent_signs_that_encode_nothing_special_are_ordinary_characters()
    {
        Assert.Equal(_workspace.PathOf("100% done.txt"), _root.Resolve("100% done.txt"));
        Assert.Equal(_workspace.PathOf("a%20b.txt"), _root.Resolve("a%20b.txt"));
    }
}
