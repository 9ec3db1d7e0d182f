/**
 * Markdown tables in agent output: a value sits in a cell, and what it is ("SSN", "Passport", "DOB") is said
 * once, in the column's header, often far above it, beyond any context window. The engine scans each body
 * cell again with its header as context (as it does for a JSON value with its member name).
 */

export interface TableCell {
  /** the column header's text */
  header: string;
  /** the cell's trimmed text span in the scanned text */
  start: number;
  end: number;
}

// A delimiter row: | --- | :---: | ---: | (leading and trailing pipes optional). Bounded: linear time.
const DELIMITER_ROW = /^[ \t]{0,8}\|?(?:[ \t]{0,8}:?-{3,64}:?[ \t]{0,8}\|){1,64}(?:[ \t]{0,8}:?-{3,64}:?[ \t]{0,8})?$/;

/** Cells of a line split on unescaped '|': spans of their trimmed text, leading/trailing pipe cells dropped. */
function cells(line: string, offset: number): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let from = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i < line.length && (line[i] !== '|' || line[i - 1] === '\\')) continue;
    let s = from;
    let e = i;
    while (s < e && /\s/.test(line[s] as string)) s++;
    while (e > s && /\s/.test(line[e - 1] as string)) e--;
    out.push({ start: offset + s, end: offset + e });
    from = i + 1;
  }
  // "| a | b |" splits into '', 'a', 'b', '': the outer empty cells are not columns.
  if (line.trimStart().startsWith('|')) out.shift();
  if (line.trimEnd().endsWith('|') && !line.trimEnd().endsWith('\\|')) out.pop();
  return out;
}

/** The body cells of every markdown table in `text`, each with its column's header. */
export function markdownTableCells(text: string): TableCell[] {
  if (!text.includes('|') || !text.includes('---')) return [];
  const lines: Array<{ text: string; offset: number }> = [];
  let at = 0;
  for (const line of text.split('\n')) {
    lines.push({ text: line.endsWith('\r') ? line.slice(0, -1) : line, offset: at });
    at += line.length + 1;
  }
  const out: TableCell[] = [];
  for (let i = 1; i < lines.length; i++) {
    const delimiter = lines[i] as { text: string; offset: number };
    const head = lines[i - 1] as { text: string; offset: number };
    if (!head.text.includes('|') || !DELIMITER_ROW.test(delimiter.text)) continue;
    const headers = cells(head.text, head.offset).map((c) => text.slice(c.start, c.end));
    for (let j = i + 1; j < lines.length && (lines[j] as { text: string }).text.includes('|'); j++) {
      const row = lines[j] as { text: string; offset: number };
      cells(row.text, row.offset).forEach((c, k) => {
        const header = headers[k];
        if (header !== undefined && header.length > 0 && c.end > c.start) out.push({ header, start: c.start, end: c.end });
      });
      i = j;
    }
  }
  return out;
}
