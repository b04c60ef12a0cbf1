using System.ComponentModel.DataAnnotations;
using CanaryPilot.Service;
using Microsoft.Extensions.Configuration;

namespace CanaryPilot.Tests.Service;

/// <summary>serve's settings, nested sections included, are bound from configuration and checked before anything starts.</summary>
public sealed class ServiceSettingsTests
{
    private static ServiceOptions Bind(params (string Key, string Value)[] settings) =>
        ServiceHost.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

    [Fact]
    public void NestedSections_AreBound_FromTheirKeys()
    {
        var options = Bind(("CanaryPilot:Kubernetes:IstioApiVersion", "v1beta1"), ("CanaryPilot:Notifications:QueueCapacity", "7"), ("CanaryPilot:CacheSyncTimeout", "00:00:05"));

        Assert.Equal(("v1beta1", 7, TimeSpan.FromSeconds(5)), (options.Kubernetes.IstioApiVersion, options.Notifications.QueueCapacity, options.CacheSyncTimeout));
        options.Validate();
    }

    [Theory]
    [InlineData("CanaryPilot:Kubernetes:MaxRetries", "50", "CanaryPilot:Kubernetes:MaxRetries")]
    [InlineData("CanaryPilot:Kubernetes:IstioApiVersion", "v2", "CanaryPilot:Kubernetes:IstioApiVersion")]
    [InlineData("CanaryPilot:Notifications:QueueCapacity", "0", "CanaryPilot:Notifications:QueueCapacity")]
    [InlineData("CanaryPilot:CacheSyncTimeout", "00:00:00", "CanaryPilot:CacheSyncTimeout")]
    public void ASettingOutOfRange_IsRefused_NamingIt(string key, string value, string named)
    {
        var refused = Assert.Throws<ValidationException>(() => Bind((key, value)).Validate());

        Assert.StartsWith(named + ":", refused.Message, StringComparison.Ordinal);
    }
}
