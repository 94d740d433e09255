using System.Net;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace ReplicaKeeper.Archive.Offsite;

/// <summary>
/// <see cref="IOffsiteStore"/> on an S3-compatible bucket (AWSSDK.S3). Each object carries its SHA-256
/// as user metadata (<c>x-amz-meta-sha256</c>) so a resumed upload can tell a complete copy from none
/// without downloading it. Payloads are sent whole with a Content-Length (no aws-chunked encoding) and
/// checksums only where S3 requires them: what S3-compatible stores accept.
/// </summary>
public sealed class S3OffsiteStore : IOffsiteStore, IDisposable
{
    private const string ShaMetadata = "sha256";
    private readonly AmazonS3Client _client;
    private readonly S3OffsiteOptions _options;
    private readonly string _prefix;

    public S3OffsiteStore(S3OffsiteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Bucket))
        {
            throw new OffsiteException("no S3 bucket configured");
        }

        _options = options;
        _prefix = options.NormalizedPrefix;
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle ?? options.ServiceUrl is not null,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.ServiceUrl is not null)
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        _client = new AmazonS3Client(new BasicAWSCredentials(options.Credentials.AccessKeyId, options.Credentials.SecretAccessKey), config);
    }

    public string Target => _options.Target;

    /// <summary>Creates the bucket when it does not exist yet (for first-time setup and tests).</summary>
    public async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        await CallAsync("create bucket", _options.Bucket, async () =>
        {
            try
            {
                await _client.PutBucketAsync(new PutBucketRequest { BucketName = _options.Bucket }, cancellationToken);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
            {
                // already there
            }

            return 0;
        });
    }

    public async Task PutAsync(string name, Stream content, string sha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var request = new PutObjectRequest
        {
            BucketName = _options.Bucket,
            Key = _prefix + name,
            InputStream = content,
            AutoCloseStream = false,
            UseChunkEncoding = false,
            ContentType = "application/octet-stream",
        };
        request.Metadata[ShaMetadata] = sha256;
        await CallAsync("upload", name, async () => await _client.PutObjectAsync(request, cancellationToken));
    }

    public async Task<OffsiteObject?> HeadAsync(string name, CancellationToken cancellationToken)
    {
        return await CallAsync("inspect", name, async () =>
        {
            try
            {
                var response = await _client.GetObjectMetadataAsync(_options.Bucket, _prefix + name, cancellationToken);
                return new OffsiteObject(name, response.ContentLength, response.Metadata[ShaMetadata]);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        });
    }

    public async IAsyncEnumerable<OffsiteObject> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? continuation = null;
        do
        {
            var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = _prefix, ContinuationToken = continuation };
            var response = await CallAsync("list", _prefix, async () => await _client.ListObjectsV2Async(request, cancellationToken));
            foreach (var item in response.S3Objects ?? [])
            {
                yield return new OffsiteObject(item.Key[_prefix.Length..], item.Size ?? 0, null);
            }

            continuation = response.IsTruncated == true ? response.NextContinuationToken : null;
        }
        while (continuation is not null);
    }

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        return await CallAsync("download", name, async () =>
        {
            try
            {
                var response = await _client.GetObjectAsync(_options.Bucket, _prefix + name, cancellationToken);
                return (Stream)new ResponseStream(response);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                throw new OffsiteException($"{name} does not exist in {Target}");
            }
        });
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        await CallAsync("delete", name, async () => await _client.DeleteObjectAsync(_options.Bucket, _prefix + name, cancellationToken));

    public void Dispose() => _client.Dispose();

    private async Task<T> CallAsync<T>(string action, string name, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException ex)
        {
            throw new OffsiteException($"cannot {action} {name} in {Target}: {ex.ErrorCode ?? ex.StatusCode.ToString()} {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException)
        {
            throw new OffsiteException($"cannot {action} {name} in {Target}: {ex.Message}", ex);
        }
    }

    /// <summary>The body of a GET, disposing the response with it.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => response.ContentLength;

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => _inner.Read(buffer);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
