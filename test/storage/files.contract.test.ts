import { openFilesStorage } from '../../src/storage/files/index.ts';
import type { Storage } from '../../src/storage/types.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';
import { storageContract } from './contract.ts';

const folders = new WeakMap<Storage, { dir: string; cleanup: () => void }>();

storageContract('lowdb', {
  async open() {
    const temp = makeTempDir();
    const storage = await openFilesStorage(temp.dir);
    folders.set(storage, temp);
    return storage;
  },
  async reopen(storage) {
    const temp = folders.get(storage)!;
    await storage.close();
    const reopened = await openFilesStorage(temp.dir);
    folders.set(reopened, temp);
    return reopened;
  },
  async destroy(storage) {
    await storage.close();
    folders.get(storage)?.cleanup();
  },
});
