namespace ReplicaKeeper.Protocol.Handshake;

/// <summary>
/// Client/server capability bits. The low 32 bits are MySQL's CLIENT_* flags; the high 32 bits are
/// MariaDB's extended capabilities (MARIADB_CLIENT_*), exchanged in the handshake's reserved bytes
/// when the server clears bit 0 (CLIENT_MYSQL / CLIENT_LONG_PASSWORD).
/// </summary>
[Flags]
#pragma warning disable CA1028 // the wire format is 64 bits wide
public enum CapabilityFlags : ulong
#pragma warning restore CA1028
{
    None = 0,
    LongPassword = 1UL << 0,
    FoundRows = 1UL << 1,
    LongFlag = 1UL << 2,
    ConnectWithDb = 1UL << 3,
    NoSchema = 1UL << 4,
    Compress = 1UL << 5,
    Odbc = 1UL << 6,
    LocalFiles = 1UL << 7,
    IgnoreSpace = 1UL << 8,
    Protocol41 = 1UL << 9,
    Interactive = 1UL << 10,
    Ssl = 1UL << 11,
    IgnoreSigpipe = 1UL << 12,
    Transactions = 1UL << 13,
    Reserved = 1UL << 14,
    SecureConnection = 1UL << 15,
    MultiStatements = 1UL << 16,
    MultiResults = 1UL << 17,
    PsMultiResults = 1UL << 18,
    PluginAuth = 1UL << 19,
    ConnectAttributes = 1UL << 20,
    PluginAuthLengthEncodedClientData = 1UL << 21,
    CanHandleExpiredPasswords = 1UL << 22,
    SessionTrack = 1UL << 23,
    DeprecateEof = 1UL << 24,
    OptionalResultsetMetadata = 1UL << 25,
    ZstdCompression = 1UL << 26,
    QueryAttributes = 1UL << 27,
    MultiFactorAuthentication = 1UL << 28,
    SslVerifyServerCertificate = 1UL << 30,
    RememberOptions = 1UL << 31,

    MariaDbProgress = 1UL << 32,
    MariaDbComMulti = 1UL << 33,
    MariaDbStatementBulkOperations = 1UL << 34,
    MariaDbExtendedTypeInfo = 1UL << 35,
    MariaDbCacheMetadata = 1UL << 36,
    MariaDbBulkUnitResults = 1UL << 38,
}
