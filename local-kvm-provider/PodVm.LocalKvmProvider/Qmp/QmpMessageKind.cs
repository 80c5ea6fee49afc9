namespace PodVm.LocalKvmProvider.Qmp;

public enum QmpMessageKind
{
    Greeting = 0,
    Return,
    Error,
    Event,
}
