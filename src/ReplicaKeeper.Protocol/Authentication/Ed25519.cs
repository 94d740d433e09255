using System.Numerics;
using System.Security.Cryptography;

namespace ReplicaKeeper.Protocol.Authentication;

/// <summary>
/// Ed25519 signing (RFC 8032) with <see cref="BigInteger"/> arithmetic, written for one signature per
/// connection attempt: correct and small rather than fast or constant-time.
/// </summary>
/// <remarks>
/// <see cref="Sign"/> takes the secret that is hashed with SHA-512 to get the private scalar and the
/// nonce prefix. Standard Ed25519 hashes a 32-byte seed; MariaDB's client_ed25519 hashes the whole
/// password instead (its ref10 crypto_sign takes the password bytes), so the same routine serves both.
/// </remarks>
internal static class Ed25519
{
    public const int SignatureLength = 64;
    public const int PublicKeyLength = 32;

    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger D = Mod(-121665 * Inverse(121666));
    private static readonly BigInteger D2 = Mod(2 * D);
    private static readonly BigInteger SqrtMinusOne = BigInteger.ModPow(2, (P - 1) / 4, P);
    private static readonly Point BasePoint = CreateBasePoint();

    /// <summary>Signs <paramref name="message"/> with the key derived from SHA-512(<paramref name="secret"/>).</summary>
    public static byte[] Sign(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> message)
    {
        Span<byte> az = stackalloc byte[64];
        SHA512.HashData(secret, az);
        try
        {
            Clamp(az);
            BigInteger a = FromLittleEndian(az[..32]);
            byte[] publicKey = Encode(Multiply(BasePoint, a));

            BigInteger r = Mod(HashToScalar(az[32..], message, []), L);
            byte[] encodedR = Encode(Multiply(BasePoint, r));
            BigInteger h = Mod(HashToScalar(encodedR, publicKey, message), L);
            BigInteger s = Mod(r + (h * a), L);

            byte[] signature = new byte[SignatureLength];
            encodedR.CopyTo(signature, 0);
            ToLittleEndian(s, signature.AsSpan(32));
            return signature;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(az);
        }
    }

    /// <summary>The public key (encoded point) for SHA-512(<paramref name="secret"/>).</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> secret)
    {
        Span<byte> az = stackalloc byte[64];
        SHA512.HashData(secret, az);
        try
        {
            Clamp(az);
            return Encode(Multiply(BasePoint, FromLittleEndian(az[..32])));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(az);
        }
    }

    /// <summary>Verifies a signature (used by tests to check <see cref="Sign"/> independently of its own output).</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyLength || signature.Length != SignatureLength)
        {
            return false;
        }

        Point? a = Decode(publicKey);
        Point? r = Decode(signature[..32]);
        BigInteger s = FromLittleEndian(signature[32..]);
        if (a is null || r is null || s >= L)
        {
            return false;
        }

        BigInteger h = Mod(HashToScalar(signature[..32], publicKey, message), L);
        Point left = Multiply(BasePoint, s);
        Point right = Add(r.Value, Multiply(a.Value, h));
        return Encode(left).AsSpan().SequenceEqual(Encode(right));
    }

    private static void Clamp(Span<byte> az)
    {
        az[0] &= 248;
        az[31] &= 63;
        az[31] |= 64;
    }

    private static BigInteger HashToScalar(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        hash.AppendData(first);
        hash.AppendData(second);
        hash.AppendData(third);
        Span<byte> digest = stackalloc byte[64];
        hash.GetHashAndReset(digest);
        return FromLittleEndian(digest);
    }

    private static Point CreateBasePoint()
    {
        BigInteger y = Mod(4 * Inverse(5));
        BigInteger x = RecoverX(y, 0) ?? throw new InvalidOperationException("Invalid Ed25519 base point.");
        return new Point(x, y, 1, Mod(x * y));
    }

    private static BigInteger? RecoverX(BigInteger y, int sign)
    {
        BigInteger y2 = y * y;
        BigInteger x2 = Mod((y2 - 1) * Inverse(Mod((D * y2) + 1)));
        if (x2.IsZero)
        {
            return sign == 0 ? BigInteger.Zero : null;
        }

        BigInteger x = BigInteger.ModPow(x2, (P + 3) / 8, P);
        if (!Mod((x * x) - x2).IsZero)
        {
            x = Mod(x * SqrtMinusOne);
        }

        if (!Mod((x * x) - x2).IsZero)
        {
            return null;
        }

        if ((int)(x & 1) != sign)
        {
            x = P - x;
        }

        return x;
    }

    /// <summary>Extended twisted Edwards addition (a = -1), unified so it also doubles.</summary>
    private static Point Add(Point p, Point q)
    {
        BigInteger a = Mod((p.Y - p.X) * (q.Y - q.X));
        BigInteger b = Mod((p.Y + p.X) * (q.Y + q.X));
        BigInteger c = Mod(p.T * D2 * q.T);
        BigInteger d = Mod(p.Z * 2 * q.Z);
        BigInteger e = b - a;
        BigInteger f = d - c;
        BigInteger g = d + c;
        BigInteger h = b + a;
        return new Point(Mod(e * f), Mod(g * h), Mod(f * g), Mod(e * h));
    }

    private static Point Multiply(Point point, BigInteger scalar)
    {
        var result = new Point(0, 1, 1, 0);
        Point addend = point;
        while (!scalar.IsZero)
        {
            if (!scalar.IsEven)
            {
                result = Add(result, addend);
            }

            addend = Add(addend, addend);
            scalar >>= 1;
        }

        return result;
    }

    private static byte[] Encode(Point point)
    {
        BigInteger zInverse = Inverse(point.Z);
        BigInteger x = Mod(point.X * zInverse);
        BigInteger y = Mod(point.Y * zInverse);
        byte[] encoded = new byte[32];
        ToLittleEndian(y, encoded);
        encoded[31] |= (byte)((int)(x & 1) << 7);
        return encoded;
    }

    private static Point? Decode(ReadOnlySpan<byte> encoded)
    {
        Span<byte> copy = stackalloc byte[32];
        encoded.CopyTo(copy);
        int sign = copy[31] >> 7;
        copy[31] &= 0x7F;
        BigInteger y = FromLittleEndian(copy);
        if (y >= P)
        {
            return null;
        }

        BigInteger? x = RecoverX(y, sign);
        return x is null ? null : new Point(x.Value, y, 1, Mod(x.Value * y));
    }

    private static BigInteger Mod(BigInteger value) => Mod(value, P);

    private static BigInteger Mod(BigInteger value, BigInteger modulus)
    {
        BigInteger result = BigInteger.Remainder(value, modulus);
        return result.Sign < 0 ? result + modulus : result;
    }

    private static BigInteger Inverse(BigInteger value) => BigInteger.ModPow(Mod(value), P - 2, P);

    private static BigInteger FromLittleEndian(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: false);

    private static void ToLittleEndian(BigInteger value, Span<byte> destination)
    {
        destination[..32].Clear();
        if (!value.TryWriteBytes(destination[..32], out _, isUnsigned: true, isBigEndian: false))
        {
            throw new InvalidOperationException("Ed25519 value does not fit in 32 bytes.");
        }
    }

    private readonly record struct Point(BigInteger X, BigInteger Y, BigInteger Z, BigInteger T);
}
