/**
 * Reference WordCount. A word is a run of ASCII letters and digits after lower-casing
 * (`/[a-z0-9]+/g`); every other character, including non-ASCII letters, separates words (so
 * "Café" counts as "caf"). This mirrors the tokenizer the word-count example documents.
 */
import type { WordCountRow } from './reference.types';

export function referenceWordCount(text: string): WordCountRow[] {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return [...counts].map(([word, count]) => ({ word, count }));
}
