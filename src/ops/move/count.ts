import type { MovableStorage } from '../../storage/types.ts';
import { countRecord, type Counts, zeroCounts } from './format.ts';
import { walkRecords } from './walk.ts';

/** How many records of each kind a backend holds, counted the way an export counts them. */
export async function countRecords(storage: MovableStorage): Promise<Counts> {
  const counts = zeroCounts();
  for await (const record of walkRecords(storage)) countRecord(counts, record);
  return counts;
}
