import { validate } from '@langchain/langgraph-checkpoint-validation';
import { describe } from 'vitest';
import { openPostgresStorage } from '../../src/storage/postgres/index.ts';
import type { Storage } from '../../src/storage/types.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, pgOptions } from '../helpers/postgres.ts';

// LangGraph's official checkpointer conformance suite, against the PostgreSQL checkpointer.
const opened = new Map<unknown, { storage: Storage; schema: string }>();

// Registered whatever the machine has: without PostgreSQL its tests show as skipped (never "No test suite found").
describe.skipIf(!HAS_POSTGRES)('PgCheckpointSaver: LangGraph checkpoint validation', () => {
  validate({
    checkpointerName: 'PgCheckpointSaver',
    async createCheckpointer() {
      const schema = freshSchema();
      const storage = await openPostgresStorage(pgOptions(schema));
      opened.set(storage.checkpointer, { storage, schema });
      return storage.checkpointer;
    },
    async destroyCheckpointer(checkpointer) {
      const entry = opened.get(checkpointer);
      await entry?.storage.close();
      if (entry) await dropSchema(entry.schema);
    },
  });
});
