import type { Pools } from './generators.ts';

/**
 * Valid-looking requests per route, which the fuzzer then mutates one field at a time. A
 * route without one here is still fuzzed (with `{}` and generated bodies and queries):
 * the routes come from the app, these only make the requests get further in.
 */
export interface Template {
  body?: unknown;
  query?: Array<[string, string]>;
}

type Build = (pick: Picker) => Template[];

export interface Picker {
  id(kind: Parameters<Pools['pick']>[0]): string;
  item(): { namespace: string[]; key: string };
  n: number;
}

const GRAPHS = ['chat', 'writer', 'approval'];
const message = (content: string) => ({ messages: [{ role: 'user', content }] });
/** Once a year: crons the fuzzer creates do not fire while it runs. */
const RARELY = '0 0 1 1 *';

const run = (p: Picker): Template[] => [
  {
    body: { assistant_id: p.id('assistant'), input: message(`fuzz ${p.n}`), metadata: { fuzz: true }, config: { configurable: { k: 'v' }, tags: ['t'] }, stream_mode: ['values'] },
  },
  {
    body: {
      assistant_id: GRAPHS[p.n % GRAPHS.length],
      input: message('hi'),
      multitask_strategy: 'enqueue',
      if_not_exists: 'create',
      on_disconnect: 'continue',
      durability: 'async',
    },
  },
  { body: { assistant_id: 'approval', command: { resume: 'approve' }, stream_mode: 'updates', checkpoint: { checkpoint_id: p.id('checkpoint') } } },
  { body: { assistant_id: 'chat', input: message('x'), after_seconds: 0, timeout_seconds: 30, interrupt_before: '*', stream_subgraphs: false, on_completion: 'keep' } },
];

const cron = (p: Picker): Template[] => [
  { body: { schedule: RARELY, assistant_id: p.id('assistant'), input: message('cron'), metadata: { fuzz: true }, enabled: true, end_time: '2099-01-01T00:00:00Z' } },
  { body: { schedule: '@yearly', assistant_id: 'chat', on_run_completed: 'keep', multitask_strategy: 'enqueue', if_not_exists: 'create', config: { configurable: {} } } },
];

export const TEMPLATES: Record<string, Build> = {
  'GET /ok': () => [{}],
  'POST /assistants': (p) => [
    {
      body: {
        graph_id: GRAPHS[p.n % GRAPHS.length],
        name: `fuzz ${p.n}`,
        description: 'd',
        metadata: { fuzz: true, n: p.n },
        config: { configurable: { k: 'v' }, tags: ['a'] },
        context: {},
      },
    },
    { body: { graph_id: 'chat', assistant_id: crypto.randomUUID(), if_exists: 'do_nothing' } },
  ],
  'POST /assistants/search': () => [{ body: { graph_id: 'chat', metadata: {}, limit: 5, offset: 0, sort_by: 'created_at', sort_order: 'desc', select: ['assistant_id', 'name'] } }],
  'POST /assistants/count': () => [{ body: { graph_id: 'chat', metadata: { fuzz: true } } }],
  'PATCH /assistants/:assistant_id': () => [{ body: { name: 'renamed', metadata: { patched: true }, config: { tags: ['p'] }, description: null } }],
  'DELETE /assistants/:assistant_id': () => [{ query: [['delete_threads', 'false']] }],
  'POST /assistants/:assistant_id/versions': () => [{ body: { limit: 5, offset: 0, metadata: {} } }],
  'POST /assistants/:assistant_id/latest': () => [{ body: { version: 1 } }],
  'GET /assistants/:assistant_id/graph': () => [{ query: [['xray', 'true']] }],
  'GET /assistants/:assistant_id/subgraphs': () => [{ query: [['recurse', 'true']] }],
  'GET /assistants/:assistant_id/subgraphs/:namespace': () => [{ query: [['recurse', 'false']] }],

  'POST /threads': () => [
    { body: { metadata: { fuzz: true, nested: { a: [1, 2] } }, if_exists: 'raise' } },
    { body: { thread_id: crypto.randomUUID(), metadata: { graph_id: 'chat' }, supersteps: [{ updates: [{ values: message('hi'), as_node: 'respond' }] }] } },
  ],
  'POST /threads/search': (p) => [
    { body: { metadata: {}, status: 'idle', limit: 5, offset: 0, sort_by: 'created_at', sort_order: 'asc', select: ['thread_id', 'status'] } },
    { body: { ids: [p.id('thread')], values: {} } },
  ],
  'POST /threads/count': () => [{ body: { status: 'idle', metadata: { fuzz: true } } }],
  'PATCH /threads/:thread_id': (p) => [{ body: { metadata: { patched: p.n } } }],
  'POST /threads/:thread_id/state/checkpoint': (p) => [{ body: { checkpoint: { checkpoint_id: p.id('checkpoint'), checkpoint_ns: '' }, subgraphs: false } }],
  'POST /threads/:thread_id/state': (p) => [
    { body: { values: message(`state ${p.n}`) } },
    { body: { values: message('as node'), as_node: 'respond', checkpoint_id: p.id('checkpoint') } },
  ],
  'PATCH /threads/:thread_id/state': () => [{ body: { metadata: { patched: true } } }],
  'GET /threads/:thread_id/state': () => [{ query: [['subgraphs', 'true']] }],
  'GET /threads/:thread_id/state/:checkpoint_id': () => [{ query: [['subgraphs', 'false']] }],
  'GET /threads/:thread_id/history': (p) => [{ query: [['limit', '5']] }, { query: [['before', p.id('checkpoint')]] }],
  'POST /threads/:thread_id/history': (p) => [{ body: { limit: 5, metadata: {} } }, { body: { before: p.id('checkpoint'), checkpoint: { checkpoint_ns: '' } } }],

  'POST /runs/crons': cron,
  'POST /threads/:thread_id/runs/crons': cron,
  'POST /runs/crons/search': (p) => [{ body: { assistant_id: p.id('assistant'), limit: 5, offset: 0, sort_by: 'created_at', sort_order: 'asc', select: ['cron_id'] } }],
  'POST /runs/crons/count': (p) => [{ body: { assistant_id: 'chat', thread_id: p.id('thread') } }],
  'PATCH /runs/crons/:cron_id': () => [{ body: { enabled: false, metadata: { patched: true }, schedule: RARELY, end_time: '2098-01-01T00:00:00Z' } }],

  'POST /runs': run,
  'POST /runs/stream': run,
  'POST /runs/wait': run,
  'POST /runs/batch': (p) => [{ body: [run(p)[0]!.body, run(p)[1]!.body] }],
  'POST /runs/cancel': (p) => [{ body: { thread_id: p.id('thread'), status: 'all', action: 'interrupt' } }, { body: { run_ids: [p.id('run')], action: 'rollback' } }],
  'GET /runs/:run_id/stream': () => [{ query: [['cancel_on_disconnect', 'false']] }],
  'POST /threads/:thread_id/runs': run,
  'POST /threads/:thread_id/runs/stream': run,
  'POST /threads/:thread_id/runs/wait': run,
  'GET /threads/:thread_id/runs': () => [
    {
      query: [
        ['limit', '5'],
        ['offset', '0'],
        ['status', 'success'],
        ['select', '["run_id","status"]'],
      ],
    },
  ],
  'POST /threads/:thread_id/runs/:run_id/cancel': () => [
    {
      query: [
        ['action', 'interrupt'],
        ['wait', 'true'],
      ],
    },
    { query: [['action', 'rollback']] },
  ],
  'GET /threads/:thread_id/runs/:run_id/stream': () => [{ query: [['cancel_on_disconnect', 'false']] }],

  'PUT /store/items': (p) => [
    { body: { namespace: ['fuzz', `n${p.n % 5}`], key: `k${p.n % 7}`, value: { v: p.n, nested: { list: [1, 'two', null] } } } },
    { body: { ...p.item(), value: { replaced: true }, index: false } },
  ],
  'GET /store/items': (p) => [
    {
      query: [
        ['namespace', p.item().namespace.join('.')],
        ['key', p.item().key],
      ],
    },
  ],
  'DELETE /store/items': (p) => [{ body: p.item() }],
  'POST /store/items/search': () => [{ body: { namespace_prefix: ['fuzz'], filter: { v: 1 }, limit: 5, offset: 0 } }],
  'POST /store/namespaces': () => [{ body: { prefix: ['fuzz'], suffix: null, max_depth: 2, limit: 10, offset: 0 } }],

  'POST /playground/api/channels': (p) => [{ body: { name: `fuzz-${p.n % 50}` } }],
  'POST /playground/api/channels/:channel/messages': (p) => [
    { body: { user: 'ana', text: `hello ${p.n}` } },
    { body: { user: 'bo', text: 'a reply', thread: p.id('message') } },
    { body: { user: 'ana', text: '/sb info', thread: p.id('message') } },
  ],
  'POST /playground/api/actions': (p) => [{ body: { user: 'ana', channel: 'general', thread: p.id('message'), promptId: 'p', optionIndex: 0 } }],
};
