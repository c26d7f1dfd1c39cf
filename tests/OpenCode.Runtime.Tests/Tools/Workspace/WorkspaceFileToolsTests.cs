using System.Text;

namespace OpenCode.Runtime.Tests.Tools.Workspace;

/// <summary>The file tools through a real MCP client connected to the in-process workspace server.</summary>
public sealed class WorkspaceFileToolsTests : IAsyncLifetime
{
    private readonly TempWorkspace _workspace = new();
    private WorkspaceSession _session = null!;

    public async Task InitializeAsync() => _session = await WorkspaceSession.ConnectAsync(_workspace.Server(_workspace.Options(maxReadBytes: 1000)));

    public async Task DisposeAsync()
    {
        await _session.DisposeAsync();
        _workspace.Dispose();
    }

    [Fact]
    public async Task The_server_offers_the_four_file_tools_with_their_schemas_and_no_run_command_when_code_execution_is_off()
    {
        var tools = await _session.Client.ListToolsAsync();

        Assert.Equal(["list_directory", "read_file", "search_files", "write_file"], tools.Select(t => t.Name).Order());
        var read = tools.Single(t => t.Name == "read_file").ProtocolTool;
        Assert.Equal(["path"], read.InputSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.True(read.InputSchema.GetProperty("properties").TryGetProperty("encoding", out _));
        Assert.True(read.Annotations?.ReadOnlyHint);
        Assert.True(tools.Single(t => t.Name == "write_file").ProtocolTool.Annotations?.DestructiveHint);
    }

    [Fact]
    public async Task Read_file_returns_the_content_decoded_as_utf8_by_default()
    {
        _workspace.Write("docs/hello.md", "Grüße, world");

        var (isError, text) = await _session.CallAsync("read_file", new() { ["path"] = "docs/hello.md" });

        Assert.False(isError);
        Assert.Equal("Grüße, world", text);
    }

    [Fact]
    public async Task Read_file_decodes_latin1_and_ascii_when_asked()
    {
        File.WriteAllBytes(_workspace.PathOf("legacy.txt"), Encoding.Latin1.GetBytes("café"));

        var latin1 = await _session.CallAsync("read_file", new() { ["path"] = "legacy.txt", ["encoding"] = "latin-1" });
        var ascii = await _session.CallAsync("read_file", new() { ["path"] = "legacy.txt", ["encoding"] = "ascii" });
        var utf8 = await _session.CallAsync("read_file", new() { ["path"] = "legacy.txt", ["encoding"] = "utf-8" });

        Assert.Equal((false, "café"), latin1);
        Assert.Equal((false, "caf?"), ascii);
        Assert.Equal((false, "caf\uFFFD"), utf8);
    }

    [Fact]
    public async Task An_unknown_encoding_is_an_error_result_naming_the_choices()
    {
        _workspace.Write("a.txt", "a");

        var (isError, text) = await _session.CallAsync("read_file", new() { ["path"] = "a.txt", ["encoding"] = "ebcdic" });

        Assert.True(isError);
        Assert.Contains("Unknown encoding 'ebcdic'; use utf-8, ascii or latin-1.", text);
    }

    [Fact]
    public async Task A_file_larger_than_the_limit_is_cut_with_a_note()
    {
        _workspace.Write("big.log", new string('x', 5000));

        var (isError, text) = await _session.CallAsync("read_file", new() { ["path"] = "big.log" });

        Assert.False(isError);
        Assert.StartsWith(new string('x', 1000) + "\n\n[truncated: the file has 5000 bytes; only the first 1000 are shown]", text);
        Assert.Equal(1000 + "\n\n[truncated: the file has 5000 bytes; only the first 1000 are shown]".Length, text.Length);
    }

    [Fact]
    public async Task A_multibyte_character_cut_by_the_limit_is_left_out()
    {
        _workspace.Write("accents.txt", new string('a', 999) + "éé");

        var (_, text) = await _session.CallAsync("read_file", new() { ["path"] = "accents.txt" });

        Assert.StartsWith(new string('a', 999) + "\n\n[truncated: the file has 1003 bytes", text);
    }

    [Fact]
    public async Task Reading_a_missing_file_or_a_directory_is_an_error_result()
    {
        Directory.CreateDirectory(_workspace.PathOf("dir"));

        var missing = await _session.CallAsync("read_file", new() { ["path"] = "nope.txt" });
        var directory = await _session.CallAsync("read_file", new() { ["path"] = "dir" });

        Assert.True(missing.IsError);
        Assert.Contains("'nope.txt' does not exist.", missing.Text);
        Assert.DoesNotContain(_workspace.Root, missing.Text);
        Assert.True(directory.IsError);
        Assert.Contains("'dir' is a directory", directory.Text);
    }

    [Fact]
    public async Task A_path_through_a_file_is_an_error_result_naming_the_path()
    {
        _workspace.Write("plain.txt", "x");

        var (isError, text) = await _session.CallAsync("read_file", new() { ["path"] = "plain.txt/more.txt" });

        Assert.True(isError);
        Assert.EndsWith("'plain.txt/more.txt' does not exist.", text);
    }

    [Fact]
    public async Task A_path_escape_is_an_error_result_and_the_session_goes_on()
    {
        _workspace.Write("ok.txt", "fine");
        _workspace.Link("escape", _workspace.Outside);

        var dotDot = await _session.CallAsync("read_file", new() { ["path"] = "../outside/secret.txt" });
        var link = await _session.CallAsync("read_file", new() { ["path"] = "escape/secret.txt" });
        var encoded = await _session.CallAsync("list_directory", new() { ["path"] = "%2e%2e%2f" });
        var after = await _session.CallAsync("read_file", new() { ["path"] = "ok.txt" });

        Assert.True(dotDot.IsError);
        Assert.Contains("The path '../outside/secret.txt' is outside the workspace", dotDot.Text);
        Assert.True(link.IsError);
        Assert.Contains("leads through a symbolic link to a place outside the workspace", link.Text);
        Assert.True(encoded.IsError);
        Assert.Contains("percent-encoded", encoded.Text);
        Assert.DoesNotContain(TempWorkspace.Secret, dotDot.Text + link.Text + encoded.Text);
        Assert.Equal((false, "fine"), after);
    }

    [Fact]
    public async Task List_directory_shows_directories_links_and_file_sizes_sorted_by_name()
    {
        _workspace.Write("b.txt", "12345");
        _workspace.Write("a/inner.txt", "x");
        _workspace.Link("c-link", "b.txt");

        var root = await _session.CallAsync("list_directory", new());
        var sub = await _session.CallAsync("list_directory", new() { ["path"] = "a" });
        var empty = await _session.CallAsync("list_directory", new() { ["path"] = "a/../a/../a" });

        Assert.Equal((false, "a/\nb.txt (5 bytes)\nc-link@"), root);
        Assert.Equal((false, "inner.txt (1 bytes)"), sub);
        Assert.Equal(sub, empty);
    }

    [Fact]
    public async Task List_directory_of_a_file_or_a_missing_directory_is_an_error_result()
    {
        _workspace.Write("f.txt", "x");

        var file = await _session.CallAsync("list_directory", new() { ["path"] = "f.txt" });
        var missing = await _session.CallAsync("list_directory", new() { ["path"] = "ghost" });

        Assert.True(file.IsError);
        Assert.Contains("'f.txt' is a file, not a directory.", file.Text);
        Assert.True(missing.IsError);
        Assert.Contains("The directory 'ghost' does not exist.", missing.Text);
    }

    [Fact]
    public async Task Search_files_matches_names_in_subdirectories_and_does_not_follow_links_out()
    {
        _workspace.Write("src/App.cs", "");
        _workspace.Write("src/deep/Model.cs", "");
        _workspace.Write("src/readme.md", "");
        _workspace.Link("outside-link", _workspace.Outside);
        File.WriteAllText(Path.Combine(_workspace.Outside, "Leak.cs"), "");

        var all = await _session.CallAsync("search_files", new() { ["pattern"] = "*.CS" });
        var under = await _session.CallAsync("search_files", new() { ["pattern"] = "*.cs", ["path"] = "src/deep" });
        var none = await _session.CallAsync("search_files", new() { ["pattern"] = "*.py" });

        Assert.Equal((false, "src/App.cs\nsrc/deep/Model.cs"), all);
        Assert.Equal((false, "src/deep/Model.cs"), under);
        Assert.Equal((false, "No names match '*.py'."), none);
    }

    [Fact]
    public async Task Search_files_stops_at_the_result_bound_with_a_note()
    {
        for (var i = 0; i < 30; i++)
        {
            _workspace.Write($"logs/{i:00}.log", "");
        }

        var (isError, text) = await _session.CallAsync("search_files", new() { ["pattern"] = "*.log", ["maxResults"] = 5 });

        Assert.False(isError);
        Assert.Equal(["logs/00.log", "logs/01.log", "logs/02.log", "logs/03.log", "logs/04.log", "[stopped at 5 results; narrow the pattern or the path]"], text.Split('\n'));
    }

    [Fact]
    public async Task Search_files_refuses_a_pattern_with_a_separator_and_a_path_outside()
    {
        var separator = await _session.CallAsync("search_files", new() { ["pattern"] = "../*" });
        var outside = await _session.CallAsync("search_files", new() { ["pattern"] = "*", ["path"] = _workspace.Outside });

        Assert.True(separator.IsError);
        Assert.Contains("without '/' or '\\'", separator.Text);
        Assert.True(outside.IsError);
        Assert.Contains("is outside the workspace", outside.Text);
    }

    [Fact]
    public async Task Write_file_creates_missing_parent_directories_and_replaces_a_file()
    {
        var first = await _session.CallAsync("write_file", new() { ["path"] = "new/deeper/notes.md", ["content"] = "first" });
        var second = await _session.CallAsync("write_file", new() { ["path"] = "new/deeper/notes.md", ["content"] = "Grüße" });

        Assert.Equal((false, "Wrote 5 bytes to new/deeper/notes.md."), first);
        Assert.Equal((false, "Wrote 7 bytes to new/deeper/notes.md."), second);
        Assert.Equal("Grüße", File.ReadAllText(_workspace.PathOf("new/deeper/notes.md")));
    }

    [Fact]
    public async Task Write_file_outside_the_root_is_refused_and_writes_nothing()
    {
        var target = Path.Combine(_workspace.Outside, "planted.txt");
        _workspace.Link("planted.txt", target);

        var dotDot = await _session.CallAsync("write_file", new() { ["path"] = "../outside/planted.txt", ["content"] = "x" });
        var sibling = await _session.CallAsync("write_file", new() { ["path"] = Path.Combine(_workspace.Sibling, "planted.txt"), ["content"] = "x" });
        var dangling = await _session.CallAsync("write_file", new() { ["path"] = "planted.txt", ["content"] = "x" });
        var parents = await _session.CallAsync("write_file", new() { ["path"] = "../outside/made/here.txt", ["content"] = "x" });

        Assert.All([dotDot, sibling, dangling, parents], r => Assert.True(r.IsError, r.Text));
        Assert.False(File.Exists(target));
        Assert.False(File.Exists(Path.Combine(_workspace.Sibling, "planted.txt")));
        Assert.False(Directory.Exists(Path.Combine(_workspace.Outside, "made")));
    }

    [Fact]
    public async Task Write_file_refuses_content_over_the_limit_and_a_directory_as_target()
    {
        Directory.CreateDirectory(_workspace.PathOf("dir"));
        var server = _workspace.Server(_workspace.Options() with { MaxWriteBytes = 10 });
        await using var session = await WorkspaceSession.ConnectAsync(server);

        var large = await session.CallAsync("write_file", new() { ["path"] = "large.txt", ["content"] = new string('x', 11) });
        var directory = await session.CallAsync("write_file", new() { ["path"] = "dir", ["content"] = "x" });

        Assert.True(large.IsError);
        Assert.Contains("The content is 11 bytes; the workspace accepts files of at most 10 bytes.", large.Text);
        Assert.False(File.Exists(_workspace.PathOf("large.txt")));
        Assert.True(directory.IsError);
        Assert.Contains("'dir' is a directory.", directory.Text);
    }

    [Fact]
    public async Task A_missing_required_argument_is_an_error_result()
    {
        var none = await _session.CallAsync("read_file", new());
        var nullPath = await _session.CallAsync("write_file", new() { ["path"] = null, ["content"] = "x" });

        Assert.Equal((true, "Tool 'read_file' needs the argument 'path'."), none);
        Assert.Equal((true, "Tool 'write_file' needs the argument 'path'."), nullPath);
    }
}
