namespace ApManager.Core.Journal;

/// <summary>The durable store cannot be opened or could not make a change durable.</summary>
public sealed class StorageException : Exception
{
    public StorageException(string message)
        : base(message)
    {
    }

    public StorageException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public StorageException()
    {
    }
}
