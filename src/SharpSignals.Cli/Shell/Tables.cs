using Spectre.Console;

namespace SharpSignals.Cli.Shell;

/// <summary>Builds the tool's tables: plain borders, headers as given, every cell escaped.</summary>
internal static class Tables
{
    public static Table Of(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        return table;
    }

    public static Table Row(this Table table, params string?[] cells)
    {
        table.AddRow(cells.Select(c => Markup.Escape(c ?? "")).ToArray());
        return table;
    }

    /// <summary>A two-column table of names and values, for one object.</summary>
    public static Table Properties(IEnumerable<(string Name, string? Value)> rows)
    {
        var table = new Table().Border(TableBorder.Rounded).HideHeaders();
        table.AddColumn("name");
        table.AddColumn("value");
        foreach (var (name, value) in rows)
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(value ?? ""));
        }

        return table;
    }
}
