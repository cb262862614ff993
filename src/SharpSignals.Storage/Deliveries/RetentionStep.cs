namespace SharpSignals.Storage.Deliveries;

/// <summary>
/// What one step of a retention sweep did. A sweep walks a table in key order a bounded window at a
/// time, each window its own short transaction, so that intake is never held behind one long delete.
/// </summary>
/// <param name="Deleted">How many rows the step deleted.</param>
/// <param name="Last">The key the step's window ended at: the next step starts after it.</param>
/// <param name="IsLast">Whether the sweep of this table is done: the window was not full, or it reached rows newer than the cutoff.</param>
public sealed record RetentionStep(int Deleted, long Last, bool IsLast);
