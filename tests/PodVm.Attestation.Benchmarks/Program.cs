using BenchmarkDotNet.Running;
using PodVm.Attestation.Benchmarks;

BenchmarkRunner.Run<VerifierBenchmarks>(args: args);
