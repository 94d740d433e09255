using System.Globalization;
using System.Text;
using MySqlConnector;

namespace ReplicaKeeper.Cli.Demo;

/// <summary>
/// The clinic's database and a morning of traffic on the master: patients, appointments and studies written in
/// many small transactions across several binlog files, then the accident (patient 4711 deleted), then the
/// writes that keep arriving after it and that a restore must keep.
/// </summary>
internal static class ClinicTraffic
{
    public const int DeletedPatient = 4711;

    /// <summary>A patient registered after the accident.</summary>
    public const int LatePatient = 6001;

    public const string Schema = """
        CREATE DATABASE clinic;
        CREATE TABLE clinic.patients (
          id INT PRIMARY KEY,
          name VARCHAR(100) CHARACTER SET utf8mb4 NOT NULL,
          born DATE NOT NULL,
          phone VARCHAR(30),
          allergies JSON,
          registered DATETIME(6) NOT NULL);
        CREATE TABLE clinic.appointments (
          id INT AUTO_INCREMENT PRIMARY KEY,
          patient_id INT NOT NULL,
          at DATETIME NOT NULL,
          room ENUM('A','B','C','MRI') NOT NULL,
          reason VARCHAR(200),
          KEY (patient_id));
        CREATE TABLE clinic.studies (
          id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
          patient_id INT NOT NULL,
          kind VARCHAR(20) NOT NULL,
          result DECIMAL(8,2),
          report TEXT CHARACTER SET utf8mb4,
          KEY (patient_id));
        """;

    /// <summary>The statement of the accident (meant for one appointment, run on the patients table).</summary>
    public static string Accident { get; } = string.Create(CultureInfo.InvariantCulture, $"DELETE FROM clinic.patients WHERE id = {DeletedPatient}");

    /// <summary>What the clinic writes after the accident; each statement is its own transaction.</summary>
    public static IReadOnlyList<string> LaterWrites { get; } =
    [
        string.Create(CultureInfo.InvariantCulture, $"INSERT INTO clinic.patients VALUES ({LatePatient}, 'Nora Lindqvist', '1990-07-01', '+46 8 555 0101', '[]', NOW(6))"),
        string.Create(CultureInfo.InvariantCulture, $"INSERT INTO clinic.appointments (patient_id, at, room, reason) VALUES ({LatePatient}, '2026-12-02 08:30:00', 'A', 'first visit')"),
        string.Create(CultureInfo.InvariantCulture, $"INSERT INTO clinic.studies (patient_id, kind, result, report) VALUES ({DeletedPatient}, 'LAB', 5.40, 'HbA1c after the deletion: the lab keeps writing')"),
        "UPDATE clinic.appointments SET room = 'MRI', reason = CONCAT(reason, ' (moved)') WHERE patient_id = 4712",
        "UPDATE clinic.studies SET result = result + 1 WHERE kind = 'CT' AND patient_id BETWEEN 4700 AND 4799",
    ];

    /// <summary>Rows of the morning: returns the number of transactions committed.</summary>
    public static async Task<int> RunMorningAsync(MySqlConnection master, CancellationToken ct)
    {
        var transactions = 0;
        for (var batch = 0; batch < 20; batch++)
        {
            var first = 4001 + (batch * 100);
            await ExecuteAsync(master, "INSERT INTO clinic.patients VALUES " + string.Join(",", Enumerable.Range(first, 100).Select(PatientRow)), ct);
            transactions++;
        }

        await ExecuteAsync(master, "FLUSH BINARY LOGS", ct);
        for (var batch = 0; batch < 30; batch++)
        {
            await ExecuteAsync(master, "INSERT INTO clinic.appointments (patient_id, at, room, reason) VALUES " + string.Join(",", Enumerable.Range(batch * 100, 100).Select(AppointmentRow)), ct);
            transactions++;
        }

        for (var batch = 0; batch < 6; batch++)
        {
            await ExecuteAsync(master, "INSERT INTO clinic.studies (patient_id, kind, result, report) VALUES " + string.Join(",", Enumerable.Range(batch * 100, 100).Select(StudyRow)), ct);
            transactions++;
        }

        await ExecuteAsync(master, "FLUSH BINARY LOGS", ct);
        for (var step = 0; step < 20; step++)
        {
            await ExecuteAsync(master, string.Create(CultureInfo.InvariantCulture,
                $"UPDATE clinic.appointments SET at = at + INTERVAL 1 DAY WHERE id % 20 = {step}"), ct);
            await ExecuteAsync(master, string.Create(CultureInfo.InvariantCulture,
                $"UPDATE clinic.patients SET phone = CONCAT('+49 30 ', id, ' {step:D2}') WHERE id % 50 = {step}"), ct);
            transactions += 2;
        }

        await ExecuteAsync(master, "DELETE FROM clinic.appointments WHERE reason = 'cancelled'", ct);
        return transactions + 1;
    }

    public static async Task ExecuteAsync(MySqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static readonly string[] FirstNames = ["Zoë", "Ana", "Björn", "Chen", "Dmitri", "Eleni", "Fatima", "Gustav", "Hana", "Iñigo", "Jules", "Kofi", "Léa", "Mateo", "Nadia", "Oskar"];
    private static readonly string[] LastNames = ["Ångström", "Okafor", "Müller", "Silva", "Novák", "Haddad", "Kowalski", "Tanaka", "Dubois", "García", "Nowak", "Rossi"];
    private static readonly string[] Reasons = ["check-up", "blood test", "vaccination", "follow-up", "x-ray", "cancelled", "ultrasound", "consultation"];
    private static readonly string[] Kinds = ["MRI", "CT", "XRAY", "LAB"];

    private static string PatientRow(int id)
    {
        var name = FirstNames[id % FirstNames.Length] + " " + LastNames[(id / FirstNames.Length) % LastNames.Length];
        var born = new DateOnly(1930, 1, 1).AddDays((id * 37) % 30000);
        var allergies = (id % 5) switch
        {
            0 => "'[\"penicillin\"]'",
            1 => "'[\"latex\", \"pollen\"]'",
            _ => "'[]'",
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"({id}, {Quote(name)}, '{born:yyyy-MM-dd}', '+49 30 {id} 00', {allergies}, '2026-11-25 07:{id % 60:D2}:{id % 59:D2}.{id * 7919 % 1000000:D6}')");
    }

    private static string AppointmentRow(int n)
    {
        var patient = 4001 + (n * 7 % 2000);
        var at = new DateTime(2026, 11, 26, 8, 0, 0, DateTimeKind.Unspecified).AddMinutes(n * 15 % (60 * 24 * 20));
        return string.Create(CultureInfo.InvariantCulture,
            $"({patient}, '{at:yyyy-MM-dd HH:mm:ss}', '{"ABC"[n % 3]}', '{Reasons[n % Reasons.Length]}')");
    }

    private static string StudyRow(int n)
    {
        var patient = 4001 + (n * 13 % 2000);
        if (n % 97 == 0)
        {
            patient = DeletedPatient;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"({patient}, '{Kinds[n % Kinds.Length]}', {n % 1000}.{n % 100:D2}, {Quote($"report {n}: no findings ✓")})");
    }

    private static string Quote(string text)
    {
        var builder = new StringBuilder("'");
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '\'' => "''",
                '\\' => "\\\\",
                _ => c.ToString(),
            });
        }

        return builder.Append('\'').ToString();
    }
}
