return await PodVm.GuestMultiCall.GuestMultiCall.RunAsync(Environment.GetCommandLineArgs()[0], args).ConfigureAwait(false);
