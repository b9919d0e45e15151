/** Test support for the CLI specs: the reference answers and event generation they compare with. */
import { generateNexmarkEvents } from '@runnel/dataflow';
import type { RefEvent } from '../reference';

export { compareRows, readJsonLinesOutput, referenceQ2, referenceWordCount } from '../reference';

export function generateNexmarkEventsForTest(options: { events: number; rate: number; seed: number }): RefEvent[] {
  return generateNexmarkEvents(options) as unknown as RefEvent[];
}
