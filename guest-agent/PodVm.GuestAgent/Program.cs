return await PodVm.GuestAgent.GuestAgentProgram.RunAsync(args).ConfigureAwait(false);
