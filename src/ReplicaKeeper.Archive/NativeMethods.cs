using System.Runtime.InteropServices;

namespace ReplicaKeeper.Archive;

internal static partial class NativeMethods
{
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int FdataSync(SafeHandle fd);

    /// <summary>
    /// fdatasync(2) on an open file: data and the size are on disk when it returns. Unlike
    /// FileStream.Flush(true) it can run on one thread while another thread pwrite()s further on.
    /// </summary>
    public static void SyncData(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            using var stream = new FileStream(handle, FileAccess.ReadWrite, 1);
            stream.Flush(flushToDisk: true);
            return;
        }

        if (FdataSync(handle) != 0)
        {
            throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>fsync a directory so that a rename or create inside it survives a crash (no-op off Unix).</summary>
    public static void FsyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return;
        }

        var fd = Open(directory, ORdOnly | (OperatingSystem.IsLinux() ? ODirectory : 0));
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }
}
