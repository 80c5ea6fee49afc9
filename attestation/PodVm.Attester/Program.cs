return await PodVm.Attester.AttesterProgram.RunAsync(args).ConfigureAwait(false);
