import { describe } from 'vitest';
import { openPostgresStorage } from '../../src/storage/postgres/index.ts';
import type { Storage } from '../../src/storage/types.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, pgOptions } from '../helpers/postgres.ts';
import { storageContract } from './contract.ts';

const schemas = new WeakMap<Storage, string>();

describe.skipIf(!HAS_POSTGRES)('PostgreSQL', () => {
  storageContract('postgres', {
    async open() {
      const schema = freshSchema();
      const storage = await openPostgresStorage(pgOptions(schema));
      schemas.set(storage, schema);
      return storage;
    },
    async reopen(storage) {
      const schema = schemas.get(storage)!;
      await storage.close();
      const reopened = await openPostgresStorage(pgOptions(schema));
      schemas.set(reopened, schema);
      return reopened;
    },
    async destroy(storage) {
      await storage.close();
      await dropSchema(schemas.get(storage)!);
    },
  });
});
