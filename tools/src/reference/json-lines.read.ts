/**
 * Reads a job's JSON Lines output, which is either one file or a directory of part files (one
 * per sink subtask), into one array of rows.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function parseJsonLines(text: string): unknown[] {
  const rows: unknown[] = [];
  for (const line of text.split('\n')) if (line.trim().length > 0) rows.push(JSON.parse(line));
  return rows;
}

export function readJsonLinesOutput(path: string): unknown[] {
  if (!statSync(path).isDirectory()) return parseJsonLines(readFileSync(path, 'utf8'));
  const rows: unknown[] = [];
  for (const name of readdirSync(path).sort()) {
    const file = join(path, name);
    // A loop, not push(...part): a part file of ~100k rows or more overflows the call stack.
    if (statSync(file).isFile()) for (const row of parseJsonLines(readFileSync(file, 'utf8'))) rows.push(row);
  }
  return rows;
}
