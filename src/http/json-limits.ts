/**
 * How deep JSON taken in may nest. Real requests nest a few levels (a message's content
 * blocks, a tool call's arguments: ten or so); thousands of levels overflow the stack of
 * whatever walks the value later (structuredClone, JSON.stringify), long after the request
 * was accepted. So every JSON body and query value is refused past this depth, on every
 * route, before it reaches the engine or storage.
 */
export const MAX_JSON_DEPTH = 64;

export interface JsonProblem {
  kind: 'depth' | 'proto-key' | 'number' | 'text';
  /** Where: the keys and indexes leading to it. */
  path: Array<string | number>;
}

/**
 * The first thing in a parsed JSON value this server does not take: nesting deeper than
 * `maxDepth`; a key named `__proto__` (JSON.parse makes it an own property, but everything
 * that copies the value afterwards, the request schemas or a spread, assigns it, which sets
 * the copy's prototype instead: the key would be silently lost); or a number too large for
 * a double (JSON.parse reads 1e400 as Infinity, which is stored and answered as null); or
 * text (a string or a key) holding NUL or an unpaired surrogate (`"\ud800"`), which
 * PostgreSQL's text and jsonb cannot hold: refused on every backend, so the API answers the
 * same whatever the storage. Each is refused rather than kept as something else. Walked
 * without recursion.
 */
export function jsonProblem(value: unknown, maxDepth: number): JsonProblem | null {
  type Frame = { value: unknown; depth: number; parent: Frame | null; key: string | number | null };
  const pathOf = (frame: Frame) => {
    const path: Array<string | number> = [];
    for (let at: Frame | null = frame; at?.parent; at = at.parent) path.unshift(at.key!);
    return path;
  };
  const stack: Frame[] = [{ value, depth: 1, parent: null, key: null }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const current = frame.value;
    if (typeof current === 'number' && !Number.isFinite(current)) return { kind: 'number', path: pathOf(frame) };
    if (typeof current === 'string' && UNSTORABLE_TEXT.test(current)) return { kind: 'text', path: pathOf(frame) };
    if (current === null || typeof current !== 'object') continue;
    if (frame.depth > maxDepth) return { kind: 'depth', path: pathOf(frame) };
    if (Array.isArray(current)) {
      current.forEach((child, index) => {
        if ((child !== null && typeof child === 'object') || typeof child === 'number' || typeof child === 'string')
          stack.push({ value: child, depth: frame.depth + 1, parent: frame, key: index });
      });
      continue;
    }
    if (Object.hasOwn(current, '__proto__')) return { kind: 'proto-key', path: [...pathOf(frame), '__proto__'] };
    for (const [key, child] of Object.entries(current)) {
      if (UNSTORABLE_TEXT.test(key)) return { kind: 'text', path: [...pathOf(frame), key] };
      if ((child !== null && typeof child === 'object') || typeof child === 'number' || typeof child === 'string')
        stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    }
  }
  return null;
}

/** NUL, or a surrogate without its pair. */
export const UNSTORABLE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
