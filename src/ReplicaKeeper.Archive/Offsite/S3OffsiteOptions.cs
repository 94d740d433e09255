namespace ReplicaKeeper.Archive.Offsite;

/// <summary>Where the off-site copy goes in an S3-compatible store.</summary>
public sealed record S3OffsiteOptions
{
    /// <summary>Service URL for S3-compatible stores (e.g. http://127.0.0.1:9000); null for AWS itself (then <see cref="Region"/> picks the endpoint).</summary>
    public string? ServiceUrl { get; init; }

    public string Region { get; init; } = "us-east-1";

    public required string Bucket { get; init; }

    /// <summary>Folder inside the bucket ("" or e.g. "clinic/archive/"); a missing trailing slash is added.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>bucket in the path instead of the host name: what most S3-compatible stores need. Default: true when <see cref="ServiceUrl"/> is set.</summary>
    public bool? ForcePathStyle { get; init; }

    public required S3Credentials Credentials { get; init; }

    public string NormalizedPrefix => Normalize(Prefix);

    /// <summary>s3://bucket/prefix (at the service URL when one is set): for messages and the upload ledger.</summary>
    public string Target => TargetOf(ServiceUrl, Bucket, Prefix);

    /// <summary>The <see cref="Target"/> text for a store, without needing its credentials (e.g. for <see cref="OffsiteRetentionPin"/>).</summary>
    public static string TargetOf(string? serviceUrl, string bucket, string? prefix) =>
        $"s3://{bucket}/{Normalize(prefix ?? "")}{(string.IsNullOrWhiteSpace(serviceUrl) ? "" : $" at {serviceUrl}")}";

    private static string Normalize(string prefix) => prefix.Length == 0 || prefix.EndsWith('/') ? prefix.TrimStart('/') : prefix.TrimStart('/') + "/";
}
