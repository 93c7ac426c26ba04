import { resolve } from 'node:path';
import { Client } from '@langchain/langgraph-sdk';
import pg from 'pg';
import { runTs, type Child } from './child.ts';
import { dropSchema, freshSchema, TEST_DATABASE_URL } from './postgres.ts';

const PROCESS = resolve(import.meta.dirname, '../fixtures/cluster/process.ts');

export interface ClusterProcess {
  url: string;
  processId: string;
  client: Client;
  child: Child;
  /** Ends the process the hard way (no clean-up, no hand-back). */
  kill(): Promise<void>;
}

export interface TestCluster {
  schema: string;
  processes: ClusterProcess[];
  /** Starts one more process on the same schema. */
  add(env?: Record<string, string>): Promise<ClusterProcess>;
  /** A query on the cluster's schema. */
  sql<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  dispose(): Promise<void>;
}

/** `count` Switchboard processes sharing one fresh PostgreSQL schema, each with an SDK client. */
export async function startTestCluster(count: number, env: Record<string, string> = {}): Promise<TestCluster> {
  const schema = freshSchema();
  const processes: ClusterProcess[] = [];
  const add = async (extra: Record<string, string> = {}) => {
    const child = runTs(PROCESS, [], { DATABASE_URL: TEST_DATABASE_URL!, DATABASE_SCHEMA: schema, LOG_LEVEL: 'silent', ...env, ...extra });
    const [, url, processId] = (await child.waitFor(/^listening /, 30_000)).split(' ');
    const started: ClusterProcess = {
      url: url!,
      processId: processId!,
      child,
      client: new Client({ apiUrl: url!, apiKey: null, callerOptions: { maxRetries: 0 } }),
      async kill() {
        child.process.kill('SIGKILL');
        await child.exited;
      },
    };
    processes.push(started);
    return started;
  };
  // The first process applies the migrations; the others start together after it.
  await add();
  await Promise.all(Array.from({ length: count - 1 }, () => add()));
  return {
    schema,
    processes,
    add,
    async sql(text, values) {
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        return (await client.query(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async dispose() {
      for (const member of processes) {
        if (member.child.process.exitCode === null) member.child.process.kill('SIGTERM');
      }
      await Promise.all(processes.map((member) => member.child.exited));
      await dropSchema(schema);
    },
  };
}
