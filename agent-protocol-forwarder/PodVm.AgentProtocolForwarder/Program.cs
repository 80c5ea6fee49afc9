return await PodVm.AgentProtocolForwarder.ForwarderProgram.RunAsync(args).ConfigureAwait(false);
