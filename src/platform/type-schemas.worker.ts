import { parentPort, workerData } from 'node:worker_threads';
import { extractAll } from './type-schemas-extract.ts';
import type { GraphSource } from './type-schemas.ts';

/** Reads the graphs' types (see type-schemas.ts) and hands the schemas back to the main thread. */
const found = await extractAll(workerData as GraphSource[]).catch(() => new Map());
parentPort?.postMessage([...found.entries()]);
