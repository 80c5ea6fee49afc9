using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PodVm.PodVmConfig;

namespace PodVm.AgentProtocolForwarder.Tests;

public sealed class ForwarderConfigTests
{
    // The serializer (reflection-based here) is the reference FromJson's reader must agree with.
    private static readonly JsonSerializerOptions Reference = new() { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    public static TheoryData<string> ValidDocuments => new()
    {
        "{}",
        """{"pod-name":"p","pod-namespace":"ns","tls-server-key":"K","tls-server-cert":"C","tls-client-ca":"A","tls-min-version":"1.3","tls-cipher-suites":"x"}""",
        """{"pod-name":null,"tls-server-key":null}""",
        """{"unknown":{"deep":[1,2,{"a":"b"}]},"pod-name":"p","other":[true,false,null],"n":1.5e3}""",
        """{"pod-name":"first","pod-name":"last"}""",
        """{"Pod-Name":"case","pod-name":"exact"}""",
        """ { "pod-namespace" : "ns\u00e9\n" , "tls-client-ca" : "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n" } """,
    };

    [Theory]
    [MemberData(nameof(ValidDocuments))]
    public void FromJson_ValidDocument_SameAsTheSerializer(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        var parsed = ForwarderConfig.FromJson(bytes);

        Assert.Equal(JsonSerializer.Deserialize<ForwarderConfig>(bytes, Reference), parsed);
    }

    [Fact]
    public void FromJson_PodNetwork_KeptAsTheElementItWas()
    {
        var parsed = ForwarderConfig.FromJson("""{"pod-network":{"interfaces":[{"name":"eth0"}]},"pod-name":"p"}"""u8);

        Assert.Equal("""{"interfaces":[{"name":"eth0"}]}""", parsed.PodNetwork!.Value.GetRawText());
        Assert.Equal("p", parsed.PodName);
        Assert.Null(ForwarderConfig.FromJson("""{"pod-network":null}"""u8).PodNetwork);
    }

    [Fact]
    public void FromJson_WhatToJsonWrote_RoundTrips()
    {
        var config = new ForwarderConfig { PodName = "p", PodNamespace = "ns", TlsServerKey = "key", TlsServerCert = "cert", TlsClientCa = "ca", TlsMinVersion = "1.3" };

        Assert.Equal(config, ForwarderConfig.FromJson(config.ToJson()));
    }

    [Theory]
    [InlineData("""{"pod-name":1}""", "'pod-name' must be a string, not Number")]
    [InlineData("""{"tls-server-key":{"a":1}}""", "'tls-server-key' must be a string, not StartObject")]
    [InlineData("""[{"pod-name":"p"}]""", "the top level is StartArray, not an object")]
    [InlineData("\"text\"", "the top level is String, not an object")]
    [InlineData("""{"pod-name":"p"} {}""", "not valid JSON")]
    [InlineData("{\"pod-name\":\"p", "not valid JSON")]
    [InlineData("""{"pod-name":"p",}""", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("null", "apf.json is null")]
    public void FromJson_InvalidDocument_UserDataErrorThatSaysWhy(string json, string expected)
    {
        var ex = Assert.Throws<UserDataException>(() => ForwarderConfig.FromJson(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(UserDataErrorReason.InvalidContent, ex.Reason);
    }

    [Fact]
    public void FromJson_NestingBeyondTheLimit_Refused()
    {
        var deep = "{\"x\":" + new string('[', 100) + new string(']', 100) + "}";

        Assert.Throws<UserDataException>(() => ForwarderConfig.FromJson(Encoding.UTF8.GetBytes(deep)));
    }
}
