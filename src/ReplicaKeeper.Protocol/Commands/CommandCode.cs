namespace ReplicaKeeper.Protocol.Commands;

/// <summary>First byte of a command packet (COM_*).</summary>
public static class CommandCode
{
    public const byte Quit = 0x01;
    public const byte InitDb = 0x02;
    public const byte Query = 0x03;
    public const byte Ping = 0x0E;
    public const byte BinlogDump = 0x12;
    public const byte RegisterSlave = 0x15;
    public const byte BinlogDumpGtid = 0x1E;
}
