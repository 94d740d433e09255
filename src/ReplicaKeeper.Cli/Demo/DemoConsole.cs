using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace ReplicaKeeper.Cli.Demo;

/// <summary>
/// How the demo talks to the person watching: numbered steps with their duration, the SQL it runs and what came
/// back, and checks that pass or fail. Plain text when the output is not a terminal (logs, tests).
/// </summary>
internal sealed class DemoConsole(IAnsiConsole console, int totalSteps)
{
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private readonly List<(string Description, bool Passed)> _checks = [];
    private int _step;

    public IReadOnlyList<(string Description, bool Passed)> Checks => _checks;

    public bool AllPassed => _checks.Count > 0 && _checks.All(c => c.Passed);

    public TimeSpan Elapsed => _total.Elapsed;

    public void Title(string text)
    {
        console.Write(new Rule($"[bold]{Markup.Escape(text)}[/]") { Justification = Justify.Left });
    }

    /// <summary>Prints the step's header now and its duration when the returned scope is disposed.</summary>
    public StepScope Step(string title)
    {
        _step++;
        console.WriteLine();
        console.MarkupLine(Invariant($"[bold blue]Step {_step}/{totalSteps}[/] [bold]{Markup.Escape(title)}[/] [grey](at {_total.Elapsed.TotalSeconds:F1} s)[/]"));
        return new StepScope(this);
    }

    public void Info(string text) => console.MarkupLine("  " + Markup.Escape(text));

    public void Note(string text) => console.MarkupLine("  [grey]" + Markup.Escape(text) + "[/]");

    public void Sql(string server, string sql) =>
        console.MarkupLine($"  [yellow]{Markup.Escape(server)}>[/] {Markup.Escape(sql)}");

    /// <summary>A query result as a table (NULL shown as NULL).</summary>
    public void Result(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string?>> rows)
    {
        if (rows.Count == 0)
        {
            console.MarkupLine("  [grey](no rows)[/]");
            return;
        }

        var table = new Table { Border = TableBorder.Rounded };
        foreach (var column in columns)
        {
            table.AddColumn(Markup.Escape(column));
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(v => new Text(v ?? "NULL")).ToArray<Spectre.Console.Rendering.IRenderable>());
        }

        console.Write(new Padder(table, new Padding(2, 0, 0, 0)));
    }

    /// <summary>Any Spectre renderable (a status table), indented like the rest.</summary>
    public void Render(Spectre.Console.Rendering.IRenderable renderable) => console.Write(new Padder(renderable, new Padding(2, 0, 0, 0)));

    public bool Check(string description, bool passed, string? detail = null)
    {
        _checks.Add((description, passed));
        var mark = passed ? "[green]PASS[/]" : "[red]FAIL[/]";
        console.MarkupLine($"  {mark} {Markup.Escape(description)}{(detail is null ? "" : " [grey](" + Markup.Escape(detail) + ")[/]")}");
        return passed;
    }

    public void Failure(string text) => console.MarkupLine("[red]" + Markup.Escape(text) + "[/]");

    public void Summary()
    {
        console.WriteLine();
        var passed = _checks.Count(c => c.Passed);
        if (AllPassed)
        {
            console.MarkupLine(Invariant($"[bold green]Demo passed: {passed} of {_checks.Count} checks passed in {_total.Elapsed.TotalSeconds:F1} s.[/]"));
        }
        else
        {
            console.MarkupLine(Invariant($"[bold red]Demo FAILED: {passed} of {_checks.Count} checks passed ({_total.Elapsed.TotalSeconds:F1} s).[/]"));
            foreach (var (description, _) in _checks.Where(c => !c.Passed))
            {
                console.MarkupLine("  [red]failed:[/] " + Markup.Escape(description));
            }
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Ends a step: prints how long it took.</summary>
    internal sealed class StepScope(DemoConsole owner) : IDisposable
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public void Dispose() =>
            owner.Note(Invariant($"step took {_clock.Elapsed.TotalSeconds:F1} s"));
    }
}
