// Plain-text layout helpers for command output.

/**
 * Columns two spaces apart, each as wide as its widest cell. The first `leftAlignedColumns`
 * columns (names) are left-aligned, the rest (numbers) right-aligned.
 */
export function formatTable(rows: string[][], leftAlignedColumns = 0, indent = ""): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, column) => (column < leftAlignedColumns ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
        .join("  ")
        .trimEnd(),
  );
}

/** Integers with thousands separators, e.g. 13,802. */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}
