import { validate } from '@langchain/langgraph-checkpoint-validation';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import type { Storage } from '../../src/storage/types.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

// LangGraph's official checkpointer conformance suite, against the lowdb checkpointer.
const opened = new Map<unknown, { storage: Storage; cleanup: () => void }>();

validate({
  checkpointerName: 'JournalCheckpointSaver',
  async createCheckpointer() {
    const { dir, cleanup } = makeTempDir();
    const storage = await openFilesStorage(dir);
    opened.set(storage.checkpointer, { storage, cleanup });
    return storage.checkpointer;
  },
  async destroyCheckpointer(checkpointer) {
    const entry = opened.get(checkpointer);
    await entry?.storage.close();
    entry?.cleanup();
  },
});
