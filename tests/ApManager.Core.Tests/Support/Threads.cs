namespace ApManager.Core.Tests.Support;

/// <summary>
/// Work on dedicated background threads, so blocking or spinning test code never starves the
/// thread pool that xunit's parallel test classes share.
/// </summary>
internal static class Threads
{
    public static Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.TrySetResult(work());
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        { IsBackground = true };
        thread.Start();
        return done.Task;
    }

    public static Task Run(Action work) => Run(() =>
    {
        work();
        return true;
    });

    /// <summary>Polls until the condition holds; false after the timeout.</summary>
    public static async Task<bool> Eventually(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(5);
        }
        return true;
    }
}
