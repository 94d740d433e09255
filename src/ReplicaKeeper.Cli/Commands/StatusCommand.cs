using System.CommandLine;
using System.Text.Json;
using ReplicaKeeper.Failover.Status;
using Spectre.Console;

namespace ReplicaKeeper.Cli.Commands;

/// <summary><c>replicakeeper status</c>: the running daemon's JSON status (GET /status) as a table. Exit 1 when unreachable.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The daemon's status endpoint.", DefaultValueFactory = _ => "http://127.0.0.1:9187/status" };
        var json = new Option<bool>("--json") { Description = "Print the raw JSON instead of a table." };
        var command = new Command("status", "Show the running daemon's status (archive, standby applier, snapshots, drills).");
        command.Options.Add(url);
        command.Options.Add(json);
        command.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            string text;
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                text = await http.GetStringAsync(new Uri(parse.GetValue(url)!), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
            {
                await error.WriteLineAsync($"status: cannot read {parse.GetValue(url)}: {e.Message} (is `replicakeeper run` running?)").ConfigureAwait(false);
                return 1;
            }

            if (parse.GetValue(json))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(text).ConfigureAwait(false);
                return 0;
            }

            try
            {
                AnsiConsole.Write(StatusRenderer.ToTable(StatusJson.Deserialize(text)));
                return 0;
            }
            catch (JsonException e)
            {
                await error.WriteLineAsync($"status: the endpoint did not return a status document: {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }
}
