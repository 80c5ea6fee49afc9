[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
[assembly: AssemblyFixture(typeof(PodVm.GuestAgent.Integration.Tests.PodVmFixture))]

// One pod VM serves every test; they run one at a time so DestroySandbox and SetPolicy cannot surprise another test.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
