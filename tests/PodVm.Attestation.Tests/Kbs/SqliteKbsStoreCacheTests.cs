using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PodVm.Attestation.Kbs;
using PodVm.Attestation.Policy;
using PodVm.Attestation.ReferenceValues;
using PodVm.Kbs;

namespace PodVm.Attestation.Tests.Kbs;

/// <summary>
/// The SQLite store's cached policies and reference values: a write on this store or on another store instance
/// (replica) on the same file is visible to the very next read and the very next attestation.
/// </summary>
public sealed class SqliteKbsStoreCacheTests : IDisposable
{
    private const string SvnPolicy = """
        {"version":"0.1.0","id":"default","allowed_tees":["sample"],
         "rules":{"sample":[{"claim":"/svn","reference":"sample_svn","match":"min","component":"hardware"}]}}
        """;

    private const string OtherReferencePolicy = """
        {"version":"0.1.0","id":"default","allowed_tees":["sample"],
         "rules":{"sample":[{"claim":"/svn","reference":"sample_svn_v2","match":"min","component":"hardware"}]}}
        """;

    private static readonly byte[] RuntimeData = Encoding.UTF8.GetBytes("{\"nonce\":\"n\"}");

    private readonly SqliteStoreDirectory _db = new("podvm-store-cache-tests");
    private readonly ECDsa _tokenKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _tokenKey.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task GetAttestationPolicyAsync_PolicyRewrittenOnSameStore_ReturnsNewDocument()
    {
        var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        await store.SetAttestationPolicyAsync("default", SvnPolicy, CancellationToken.None);
        Assert.Equal(SvnPolicy, await store.GetAttestationPolicyAsync("default", CancellationToken.None));

        await store.SetAttestationPolicyAsync("default", OtherReferencePolicy, CancellationToken.None);

        Assert.Equal(OtherReferencePolicy, await store.GetAttestationPolicyAsync("default", CancellationToken.None));
    }

    [Fact]
    public async Task GetAttestationPolicyAsync_PolicyWrittenByReplica_ReturnsNewDocument()
    {
        var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        var replica = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        await store.SetAttestationPolicyAsync("default", SvnPolicy, CancellationToken.None);
        Assert.Equal(SvnPolicy, await store.GetAttestationPolicyAsync("default", CancellationToken.None));

        await replica.SetAttestationPolicyAsync("default", OtherReferencePolicy, CancellationToken.None);
        await replica.SetResourcePolicyAsync("{}", CancellationToken.None);

        Assert.Equal(OtherReferencePolicy, await store.GetAttestationPolicyAsync("default", CancellationToken.None));
        Assert.Equal("{}", await store.GetResourcePolicyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task GetAsync_ReferenceValueSetAndRemovedByReplica_SeenOnNextRead()
    {
        var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        var replica = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        Assert.Null(await store.GetAsync("sample_svn", CancellationToken.None));

        await replica.SetAsync([Svn("sample_svn", 2)], CancellationToken.None);
        var set = await store.GetAsync("sample_svn", CancellationToken.None);
        await replica.RemoveAsync("sample_svn", CancellationToken.None);
        var removed = await store.GetAsync("sample_svn", CancellationToken.None);

        Assert.Equal(2, set!.Values.Single().GetValue<int>());
        Assert.Null(removed);
    }

    [Fact]
    public async Task GetAsync_CachedValuePastExpiry_ReturnsNullAndListOmitsIt()
    {
        var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        await store.SetAsync([Svn("sample_svn", 2), Svn("long_lived", 1, TimeSpan.FromDays(30))], CancellationToken.None);
        Assert.NotNull(await store.GetAsync("sample_svn", CancellationToken.None));

        _db.Time.Advance(TimeSpan.FromHours(2));

        Assert.Null(await store.GetAsync("sample_svn", CancellationToken.None));
        Assert.Equal(["long_lived"], (await store.ListAsync(CancellationToken.None)).Select(v => v.Name));
    }

    [Fact]
    public async Task GetAppraisalInputsAsync_SnapshotView_IsReadOnly()
    {
        var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);

        var inputs = await store.GetAppraisalInputsAsync("default", CancellationToken.None);

        Assert.Null(inputs.PolicyDocument);
        await Assert.ThrowsAsync<NotSupportedException>(async () => await inputs.ReferenceValues.SetAsync([Svn("x", 1)], CancellationToken.None));
    }

    [Fact]
    public async Task EvaluateAsync_PolicyAndReferenceValuesRewrittenByReplica_NextAttestUsesThem()
    {
        var store = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        var replica = new SqliteKbsStore(_db.DatabasePath, _db.Time);
        var evaluator = new AttestationEvaluator([new SampleTestVerifier()], store, store, new EarTokenIssuer(_tokenKey, _db.Time, TimeSpan.FromMinutes(5)));
        await store.SetAttestationPolicyAsync("default", SvnPolicy, CancellationToken.None);
        await store.SetAsync([Svn("sample_svn", 2)], CancellationToken.None);

        var first = await evaluator.EvaluateAsync(SampleRequest(svn: 3), CancellationToken.None);
        await replica.SetAsync([Svn("sample_svn", 5)], CancellationToken.None);
        var afterReferenceValue = await evaluator.EvaluateAsync(SampleRequest(svn: 3), CancellationToken.None);
        await replica.SetAttestationPolicyAsync("default", OtherReferencePolicy, CancellationToken.None);
        var afterPolicy = await evaluator.EvaluateAsync(SampleRequest(svn: 3), CancellationToken.None);
        await evaluator.SetPolicyAsync("default", SvnPolicy, CancellationToken.None);
        var afterLocalPolicy = await evaluator.EvaluateAsync(SampleRequest(svn: 6), CancellationToken.None);

        Assert.Equal(EarStatus.Affirming, first.Appraisal.Status);
        Assert.Equal(EarStatus.Contraindicated, afterReferenceValue.Appraisal.Status);
        Assert.Contains(afterPolicy.Appraisal.Findings, f => f.Contains("sample_svn_v2", StringComparison.Ordinal));
        Assert.Equal(EarStatus.Affirming, afterLocalPolicy.Appraisal.Status);
    }

    private ReferenceValue Svn(string name, int svn, TimeSpan? lifetime = null) => new()
    {
        Name = name,
        Values = [JsonValue.Create(svn)],
        Expiration = _db.Time.GetUtcNow() + (lifetime ?? TimeSpan.FromHours(1)),
    };

    private static AttestationEvaluationRequest SampleRequest(int svn) => new()
    {
        Tee = "sample",
        Evidence = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["svn"] = svn.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["report_data"] = Convert.ToBase64String(SHA384.HashData(RuntimeData)),
        }.ToJsonString()),
        RawRuntimeData = RuntimeData,
    };
}
