import fc from 'fast-check';

/**
 * What the fuzz suite sends: a plan (plain data fast-check generates, shrinks and prints)
 * resolved against the records that exist at the time into the bytes of one request.
 */

// ---------------------------------------------------------------- JSON text

/** JSON text written as it is (numbers JSON.stringify cannot write: 1e400, 30 digits, -0.0). */
export class Raw {
  constructor(readonly text: string) {}
  toString(): string {
    return `Raw(${preview(this.text, 40)})`;
  }
}

export const preview = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** Sets an own property, `__proto__` included (as JSON.parse does; plain assignment would set the prototype). */
export function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const own = (key: string, value: unknown) => {
  const object: Record<string, unknown> = {};
  put(object, key, value);
  return object;
};

/** JSON text of a value, own `__proto__` keys and Raw numbers included. */
export function jsonText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .map((key) => `${JSON.stringify(key)}:${jsonText(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A value in a canonical form, for "reads back the same": keys sorted, and numbers JSON
 * cannot carry (Infinity from 1e400) kept apart from null, so storing them as null shows.
 */
export function canonical(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return `<${value}>`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

const nestedText = (depth: number, array: boolean) => (array ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

// ---------------------------------------------------------------- records that exist

export type Kind = 'thread' | 'run' | 'assistant' | 'cron' | 'checkpoint' | 'channel' | 'message' | 'file' | 'namespace';

/** Path parameters by name, and the kind of record each names. */
export const PARAM_KINDS: Record<string, Kind> = {
  thread_id: 'thread',
  run_id: 'run',
  assistant_id: 'assistant',
  cron_id: 'cron',
  checkpoint_id: 'checkpoint',
  channel: 'channel',
  thread: 'message',
  file: 'file',
  namespace: 'namespace',
};

export interface StoredItem {
  namespace: string[];
  key: string;
}

/** Ids of records that exist (the latest few of each kind), so requests reach them and not only 404s. */
export class Pools {
  readonly #values = new Map<Kind, string[]>();
  readonly items: StoredItem[] = [];

  add(kind: Kind, value: string): void {
    const list = this.#values.get(kind) ?? [];
    if (list.includes(value)) return;
    list.push(value);
    if (list.length > 40) list.shift();
    this.#values.set(kind, list);
  }

  remove(kind: Kind, value: string): void {
    const list = this.#values.get(kind) ?? [];
    const index = list.indexOf(value);
    if (index >= 0) list.splice(index, 1);
  }

  /** Records that go together (a run and its thread, a message and its channel), so both ids in a path can match. */
  readonly #owner = new Map<string, string>();

  relate(child: string, owner: string): void {
    if (this.#owner.size > 5_000) this.#owner.clear();
    this.#owner.set(child, owner);
  }

  ownerOf(child: string | undefined): string | undefined {
    return child === undefined ? undefined : this.#owner.get(child);
  }

  addItem(item: StoredItem): void {
    if (this.items.some((known) => known.key === item.key && known.namespace.join('.') === item.namespace.join('.'))) return;
    this.items.push(item);
    if (this.items.length > 40) this.items.shift();
  }

  pick(kind: Kind, n: number): string | undefined {
    const list = this.#values.get(kind) ?? [];
    return list.length === 0 ? undefined : list[n % list.length];
  }

  item(n: number): StoredItem {
    return this.items[n % Math.max(1, this.items.length)] ?? { namespace: ['fuzz'], key: 'k' };
  }
}

// ---------------------------------------------------------------- hostile values

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

/** Values a field may be given that it does not expect. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -1,
      -0,
      1.5,
      1e308,
      -1e308,
      2 ** 53 + 1,
      2 ** 31,
      -(2 ** 31) - 1,
      Number.MAX_SAFE_INTEGER,
      '',
      ' ',
      '*',
      'null',
      '__proto__',
      'constructor',
      'toString',
      '../../etc/passwd',
      '\u0000',
      'a\u0000b',
      '\ud800',
      '\udfff\ud800',
      '💥🧨',
      '\u202e\u0301',
      'a.b:c',
      '2099-01-01T00:00:00Z',
      'not a date',
      [],
      {},
      [null],
      [[]],
      [{}],
      ['__proto__'],
      own('__proto__', { polluted: 'yes' }),
      { constructor: { prototype: { polluted: 'yes' } } },
      new Raw('1e400'),
      new Raw('-1e400'),
      new Raw('123456789012345678901234567890'),
      new Raw('1.0e-400'),
      new Raw('-0.0'),
      new Raw(nestedText(70, false)),
      new Raw(nestedText(64, true)),
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom('\u0000', '\ud800', '\udc00', '\u007f', 'a', '.', ':', '/', '%', '\\', '"', '\n', 'é'), maxLength: 12 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.maxSafeInteger()) },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 100_000, 1_000_000).map((size) => 'x'.repeat(size)) },
  { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom(...PROTO_KEYS)), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) },
);

/** Field names: the API's own (in the wrong place, or given the wrong thing), built-in property names, and random ones. */
export const fieldName: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ...PROTO_KEYS,
      'toString',
      'hasOwnProperty',
      'unknown_field',
      'metadata',
      'config',
      'configurable',
      'context',
      'thread_id',
      'assistant_id',
      'graph_id',
      'limit',
      'offset',
      'select',
      'if_exists',
      'if_not_exists',
      'checkpoint',
      'checkpoint_id',
      'checkpoint_ns',
      'after_seconds',
      'timeout_seconds',
      'webhook',
      'stream_mode',
      'command',
      'input',
      'namespace',
      'namespace_prefix',
      'key',
      'value',
      'filter',
      'ttl',
      'index',
      'query',
      'supersteps',
      'values',
      'as_node',
      'schedule',
      'end_time',
      'version',
      'max_depth',
      'prefix',
      'suffix',
      'run_ids',
      'status',
      'action',
      'sort_by',
      'sort_order',
      'ids',
      'interrupt_before',
      'multitask_strategy',
      'on_completion',
      'durability',
      'user',
      'text',
      'thread',
      'name',
      'optionIndex',
      'promptId',
      'channel',
      'before',
      'subgraphs',
      'recursion_limit',
      'tags',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

// ---------------------------------------------------------------- bodies

export type BodyMutation =
  | { op: 'as-is' }
  | { op: 'set'; at: number; key: number | string; value: unknown }
  | { op: 'delete'; at: number; key: number }
  | { op: 'number'; at: number; value: number | Raw }
  | { op: 'nest'; at: number; key: number | string; depth: number; array: boolean }
  | { op: 'wrap' }
  | { op: 'replace'; value: unknown }
  | { op: 'text'; text: string }
  | { op: 'bytes'; bytes: number[] }
  | { op: 'oversize' };

const INVALID_TEXTS = [
  '{',
  '}',
  '{"a":1,}',
  "{'a':1}",
  'NaN',
  'undefined',
  'nul',
  '[',
  '"',
  '{"a":"\\u12"}',
  '{"a":"\\ud800"}',
  '{"a":"\\udc00\\ud800"}',
  '{"a":"\\u0000"}',
  '{"metadata":{"k":"\\u0000"}}',
  '{"metadata":{"\\u0000":1}}',
  '{"metadata":{"k":"\\ud800"}}',
  '\ufeff{}',
  '{}{}',
  '{} x',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"a":1,"a":2}',
  '   ',
  '\n',
  'null',
  'true',
  '0',
  '""',
  '[]',
  '[{}]',
  '1e400',
  'x',
  '<xml/>',
  'a=1&b=2',
  `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
  `${'{"a":'.repeat(100_000)}1`,
  nestedText(63, false),
  nestedText(64, false),
  nestedText(65, false),
  nestedText(5_000, true),
];

const INVALID_BYTES: number[][] = [
  [0xff],
  [0xc3, 0x28],
  [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d], // {"a":"\xff\xfe"}
  [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d], // a UTF-8-encoded surrogate
  [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d], // an overlong "/"
  [0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0x00, 0x22, 0x7d], // a raw NUL in a string
  [0xef, 0xbb, 0xbf, 0x7b, 0x7d], // BOM + {}
  [0x00],
  [0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d], // UTF-16
];

export const bodyMutation: fc.Arbitrary<BodyMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ op: 'as-is' as const }) },
  {
    weight: 8,
    arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), key: fc.oneof(fc.nat(), fieldName), value: hostileValue }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat(), key: fc.nat() }) },
  // A number field given an edge of its range: past a timer's 24.8 days, past a date, past a double.
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('number' as const),
      at: fc.nat(),
      value: fc.oneof(
        fc.constantFrom<number | Raw>(0, -1, -0.5, 0.5, 1e-9, 2 ** 31, 2_147_484, 3e6, 1e12, 8.64e12, 1e308, 2 ** 53 + 2, -(2 ** 53) - 2, new Raw('1e400'), new Raw('-1e400')),
        fc.double(),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('nest' as const),
      at: fc.nat(),
      key: fc.oneof(fc.nat(), fieldName),
      depth: fc.constantFrom(2, 30, 61, 62, 63, 64, 65, 200, 3_000),
      array: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'wrap' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('replace' as const), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('text' as const), text: fc.oneof(fc.constantFrom(...INVALID_TEXTS), fc.string({ unit: 'binary', maxLength: 30 })) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('bytes' as const), bytes: fc.constantFrom(...INVALID_BYTES) }) },
  // A body past server.max_body_bytes (10 MB): 413, rarely (it is slow to send).
  { weight: 1, arbitrary: fc.nat(40).map((n) => (n === 0 ? { op: 'oversize' as const } : { op: 'as-is' as const })) },
);

/** The objects inside a value, depth first (where a mutation may apply). */
function objectsIn(value: unknown, out: Array<Record<string, unknown>> = [], depth = 0): Array<Record<string, unknown>> {
  if (value === null || typeof value !== 'object' || value instanceof Raw || depth > 6) return out;
  if (!Array.isArray(value)) out.push(value as Record<string, unknown>);
  for (const child of Object.values(value)) objectsIn(child, out, depth + 1);
  return out;
}

/** The body text of a template after one mutation; `template` is freshly built, so it may be changed. */
export function mutateBody(template: unknown, mutation: BodyMutation): Buffer {
  switch (mutation.op) {
    case 'as-is':
      return Buffer.from(jsonText(template));
    case 'wrap':
      return Buffer.from(jsonText([template]));
    case 'replace':
      return Buffer.from(jsonText(mutation.value));
    case 'text':
      return Buffer.from(mutation.text);
    case 'bytes':
      return Buffer.from(mutation.bytes);
    case 'oversize':
      return Buffer.from(`{"metadata":{"big":"${'x'.repeat(10 * 1024 * 1024 + 10)}"}}`);
    default:
      break;
  }
  const objects = objectsIn(template);
  const target = objects[mutation.at % Math.max(1, objects.length)];
  if (!target) return Buffer.from(jsonText(template));
  const keys = Object.keys(target);
  const keyOf = (key: number | string) => (typeof key === 'number' ? (keys[key % Math.max(1, keys.length)] ?? 'unknown_field') : key);
  if (mutation.op === 'number') {
    // The number fields of the template (anywhere in it), else any field.
    const numeric = objects.flatMap((object) =>
      Object.keys(object)
        .filter((key) => typeof object[key] === 'number')
        .map((key) => [object, key] as const),
    );
    const [object, key] = numeric[mutation.at % Math.max(1, numeric.length)] ?? [target, keyOf(mutation.at)];
    put(object, key, mutation.value);
  } else if (mutation.op === 'delete') {
    delete target[keyOf(mutation.key)];
  } else if (mutation.op === 'set') {
    put(target, keyOf(mutation.key), mutation.value);
  } else {
    put(target, keyOf(mutation.key), new Raw(nestedText(mutation.depth, mutation.array)));
  }
  return Buffer.from(jsonText(template));
}

// ---------------------------------------------------------------- paths

export type SegmentPlan =
  | { kind: 'existing'; n: number }
  | { kind: 'existing-altered'; n: number; how: 'upper' | 'suffix-nul' | 'suffix-dots' | 'suffix-space' | 'double' }
  | { kind: 'uuid'; value: string }
  | { kind: 'raw'; text: string }
  | { kind: 'text'; value: string };

/** Segments sent as they are: what a path may hold that a client library would have normalised or refused. */
const RAW_SEGMENTS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '..',
  '.',
  '%2e%2e',
  '%2E',
  '%',
  '%2',
  '%zz',
  '%00',
  'a%00b',
  '%0a',
  '%0d%0a',
  '%2F',
  '%2f..%2f..',
  '%5C',
  '%C0%AF',
  '%FF',
  '%ED%A0%80',
  '%F0%9F%92%A5',
  '%25',
  '%2525',
  '%3F',
  '%23',
  ';',
  '*',
  "'",
  '"',
  '~',
  '@',
  '!',
  '$',
  '&',
  '+',
  '=',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '00000000-0000-0000-0000-00000000000g',
  'x'.repeat(300),
  'x'.repeat(5_000),
  'x'.repeat(20_000),
];

export const segmentPlan: fc.Arbitrary<SegmentPlan> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('existing' as const), n: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('existing-altered' as const),
      n: fc.nat(),
      how: fc.constantFrom('upper' as const, 'suffix-nul' as const, 'suffix-dots' as const, 'suffix-space' as const, 'double' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('uuid' as const), value: fc.uuid() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('raw' as const), text: fc.constantFrom(...RAW_SEGMENTS) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      value: fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 10 }), fc.string({ maxLength: 20 })),
    }),
  },
);

/** Percent-encodes text (lone surrogates as U+FFFD's bytes, as a browser would). */
export function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  }
}

export function resolveSegment(plan: SegmentPlan, kind: Kind | undefined, pools: Pools): string {
  const existing = (n: number) => (kind ? pools.pick(kind, n) : undefined) ?? crypto.randomUUID();
  switch (plan.kind) {
    case 'existing':
      return encode(existing(plan.n));
    case 'existing-altered': {
      const id = existing(plan.n);
      if (plan.how === 'upper') return encode(id.toUpperCase());
      if (plan.how === 'suffix-nul') return `${encode(id)}%00`;
      if (plan.how === 'suffix-dots') return `${encode(id)}%2F..`;
      if (plan.how === 'suffix-space') return `${encode(id)}%20`;
      return `${encode(id)}${encode(id)}`;
    }
    case 'uuid':
      return plan.value;
    case 'raw':
      return plan.text;
    case 'text':
      return encode(plan.value);
  }
}

// ---------------------------------------------------------------- query strings

export type QueryMutation =
  | { op: 'set'; name: number | string; value: string }
  | { op: 'drop'; name: number }
  | { op: 'repeat'; name: number; value: string }
  | { op: 'raw'; text: string };

const QUERY_NAMES = [
  'limit',
  'offset',
  'status',
  'select',
  'action',
  'wait',
  'subgraphs',
  'recurse',
  'xray',
  'before',
  'namespace',
  'key',
  'delete_threads',
  'cancel_on_disconnect',
  '__proto__',
  'constructor',
  'toString',
  'key[]',
  '',
];

/** Query values, already encoded (some deliberately badly). */
const queryValue: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      '-1',
      '0',
      '1',
      '1e999',
      '99999999999999999999',
      'NaN',
      'Infinity',
      '1.5',
      '0x10',
      'true',
      'TRUE',
      'yes',
      'maybe',
      '[]',
      '{}',
      '%5B%22run_id%22%5D',
      '%5B%22__proto__%22%5D',
      '%5B1%2C2%5D',
      '%7B%22__proto__%22%3A%7B%22polluted%22%3A1%7D%7D',
      encode(nestedText(100, true)),
      encode(nestedText(64, true)),
      'null',
      '__proto__',
      'constructor',
      '..',
      '..%2F..',
      'a.b.c',
      'a..b',
      '.',
      '%3A',
      '*',
      'x'.repeat(5_000),
      '%C3%BCn%C3%AF',
      '%F0%9F%92%A5',
      '%00',
      'a%00b',
      '%',
      '%zz',
      '%ED%A0%80',
      '%FF',
      'interrupt',
      'rollback',
      'success',
      'pending',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map(encode) },
);

export const queryMutation: fc.Arbitrary<QueryMutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), name: fc.oneof(fc.nat(), fc.constantFrom(...QUERY_NAMES)), value: queryValue }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), name: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('repeat' as const), name: fc.nat(), value: queryValue }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('raw' as const),
      text: fc.constantFrom('%', '&&&', '=', '==', 'a=%zz', '__proto__=x', 'constructor[prototype][x]=1', '?', '#x', `${'a=1&'.repeat(2_000)}`),
    }),
  },
);

/** The query string of a template's parameters after the mutations ('' when none). */
export function queryString(template: Array<[string, string]>, mutations: readonly QueryMutation[]): string {
  const pairs = template.map(([name, value]) => [encode(name), encode(value)] as [string, string]);
  const extra: string[] = [];
  const nameOf = (name: number | string) => (typeof name === 'number' ? (pairs[name % Math.max(1, pairs.length)]?.[0] ?? 'limit') : encode(name));
  for (const mutation of mutations) {
    if (mutation.op === 'raw') extra.push(mutation.text);
    else if (mutation.op === 'drop') pairs.splice(mutation.name % Math.max(1, pairs.length), 1);
    else if (mutation.op === 'repeat') pairs.push([nameOf(mutation.name), mutation.value]);
    else {
      const name = nameOf(mutation.name);
      const index = pairs.findIndex(([known]) => known === name);
      if (index >= 0) pairs[index] = [name, mutation.value];
      else pairs.push([name, mutation.value]);
    }
  }
  const parts = [...pairs.map(([name, value]) => `${name}=${value}`), ...extra];
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

// ---------------------------------------------------------------- one request

export interface RequestPlan {
  params: SegmentPlan[];
  template: number;
  body: BodyMutation;
  /** Whether a GET (or another method without a body) sends one anyway. */
  bodyOnGet: boolean;
  query: QueryMutation[];
  contentType: string | null;
  origin: string | null;
  lastEventId: string | null;
}

/** Content types: JSON mostly; others must get 415 when there is a body. */
export const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/merge-patch+json'];
const OTHER_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/json', 'application/jsonx', 'application/javascript', ''];

export const requestPlan = (paramCount: number): fc.Arbitrary<RequestPlan> =>
  fc.record({
    // Half the time every id names a record that exists, so requests get past the 404 to the body's checks.
    params: fc.oneof(
      fc.array(segmentPlan, { minLength: paramCount, maxLength: paramCount }),
      fc.array(fc.record({ kind: fc.constant('existing' as const), n: fc.nat() }), { minLength: paramCount, maxLength: paramCount }),
    ),
    template: fc.nat(),
    body: bodyMutation,
    bodyOnGet: fc.nat(20).map((n) => n === 0),
    query: fc.oneof({ weight: 2, arbitrary: fc.constant<QueryMutation[]>([]) }, { weight: 3, arbitrary: fc.array(queryMutation, { minLength: 1, maxLength: 3 }) }),
    contentType: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...JSON_TYPES) },
      { weight: 2, arbitrary: fc.constantFrom(...OTHER_TYPES) },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
    origin: fc.oneof(
      { weight: 12, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom('http://localhost:3000', 'http://127.0.0.1:5173', 'https://evil.example', 'null', 'file://', 'http://localhost.evil.example') },
    ),
    lastEventId: fc.oneof(
      { weight: 10, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom('0', '-1', '999999', 'abc', '1-1', '__proto__', 'x'.repeat(3_000)) },
    ),
  });
