namespace ReplicaKeeper.Protocol.Authentication;

/// <summary>Names of the authentication plugins this client speaks.</summary>
public static class AuthenticationPlugins
{
    public const string NativePassword = "mysql_native_password";
    public const string CachingSha2Password = "caching_sha2_password";
    public const string MariaDbEd25519 = "client_ed25519";
    public const string ClearPassword = "mysql_clear_password";

    /// <summary>True for plugins this client can answer.</summary>
    public static bool IsSupported(string? name) =>
        name is NativePassword or CachingSha2Password or MariaDbEd25519 or ClearPassword;
}
