import { validate } from '@langchain/langgraph-checkpoint-validation';
import { describe, it } from 'vitest';
import { openPostgresStorage } from '../../src/storage/postgres/index.ts';
import type { Storage } from '../../src/storage/types.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, pgOptions } from '../helpers/postgres.ts';

// LangGraph's official checkpointer conformance suite, against the PostgreSQL checkpointer.
const opened = new Map<unknown, { storage: Storage; schema: string }>();

if (!HAS_POSTGRES) {
  // A file without tests fails the run: say what was skipped instead.
  describe.skip('PgCheckpointSaver: LangGraph checkpoint validation (no PostgreSQL)', () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
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
}
