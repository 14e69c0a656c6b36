using ApManager.Core.Matrix;

namespace ApManager.Core.State;

/// <summary>
/// What differs between two snapshots of the same lineage. Unchanged resources are shared by
/// reference between snapshots, so the comparison is by reference and cheap.
/// </summary>
public sealed record SnapshotDiff(
    bool BusChanged,
    IReadOnlyList<int> ChangedAdapters,
    IReadOnlyList<int> ChangedQueueRows,
    IReadOnlyList<(MdevId Id, MatrixDevice? Before, MatrixDevice? After)> ChangedDevices)
{
    public static SnapshotDiff Between(ApSnapshot before, ApSnapshot after)
    {
        var adapters = new List<int>();
        var rows = new List<int>();
        for (var i = 0; i < 256; i++)
        {
            if (!ReferenceEquals(before.AdapterById[i], after.AdapterById[i]))
            {
                adapters.Add(i);
            }
            if (!ReferenceEquals(before.Rows[i], after.Rows[i]))
            {
                rows.Add(i);
            }
        }
        var devices = new List<(MdevId, MatrixDevice?, MatrixDevice?)>();
        var a = before.MdevArray;
        var b = after.MdevArray;
        if (a != b)
        {
            int i = 0, j = 0;
            while (i < a.Length || j < b.Length)
            {
                var c = i >= a.Length ? 1 : j >= b.Length ? -1 : a[i].Id.CompareTo(b[j].Id);
                if (c < 0)
                {
                    devices.Add((a[i].Id, a[i], null));
                    i++;
                }
                else if (c > 0)
                {
                    devices.Add((b[j].Id, null, b[j]));
                    j++;
                }
                else
                {
                    if (!ReferenceEquals(a[i], b[j]))
                    {
                        devices.Add((a[i].Id, a[i], b[j]));
                    }
                    i++;
                    j++;
                }
            }
        }
        return new SnapshotDiff(!ReferenceEquals(before.Bus, after.Bus), adapters, rows, devices);
    }
}
