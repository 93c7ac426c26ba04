import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { runTs, type Child } from './child.ts';
import { makeTempDir } from './tmp-dir.ts';

const ROOT = resolve(import.meta.dirname, '../..');

export interface StartedProject {
  child: Child;
  /** Where it answers: http://127.0.0.1:port */
  url: string;
  /** SIGTERM, then its data folder removed. */
  stop(): Promise<void>;
}

/**
 * `npm start` as a newcomer runs it, in a child process, on one of the fixture project's
 * langgraph files (`test/fixtures/project/<file>`), with a data folder of its own.
 */
export async function startProject(file = 'langgraph.json', env: Record<string, string> = {}): Promise<StartedProject> {
  const temp = makeTempDir();
  const child = runTs(join(ROOT, 'src/cli.ts'), ['start'], {
    SWITCHBOARD_CONFIG: join(ROOT, 'test/fixtures/project', file),
    SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'),
    PORT: '0',
    ...env,
  });
  const stop = async () => {
    child.process.kill('SIGTERM');
    await child.exited;
    temp.cleanup();
  };
  try {
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(await child.waitFor(/Switchboard is running at/, 30_000))![1]!;
    return { child, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** One started project for a whole describe: started before its tests, stopped after them. */
export function useStartedProject(file: string): { readonly url: string } {
  let project: StartedProject | undefined;
  beforeAll(async () => {
    project = await startProject(file);
  }, 40_000);
  afterAll(async () => project?.stop());
  return {
    get url() {
      return project!.url;
    },
  };
}
