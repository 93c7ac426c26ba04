/**
 * Turns what graphs put in state and streams (LangChain messages, Commands, Errors,
 * Dates, Maps…) into plain JSON in the LangGraph Platform's shape: a message becomes
 * `{ ...fields, type }` (`type: "ai"`, `"human"`, …), as the official SDK expects.
 * Done once when an event is published, so every consumer (HTTP, chat, other
 * processes) sees the same data.
 */
export function toWire(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (value === undefined) return undefined;
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      return undefined;
  }
  const object = value as Record<string, unknown>;
  if (seen.has(object)) return '[Circular]';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return { error: value.name, message: value.message };
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  seen.add(object);
  try {
    if (typeof object.toDict === 'function' && typeof object.getType === 'function') {
      const dict = (object.toDict as () => { type: string; data: Record<string, unknown> })();
      return { ...(toWire(dict.data, seen) as Record<string, unknown>), type: messageType(dict.type) };
    }
    if (Array.isArray(value)) return value.map((item) => toWire(item, seen) ?? null);
    if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [String(key), toWire(item, seen)]));
    if (value instanceof Set) return [...value].map((item) => toWire(item, seen));
    // Command, Send and other class instances: their own enumerable fields.
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object)) {
      if (key === 'lg_name' || key === 'lc_direct_tool_output') continue;
      const wired = toWire(item, seen);
      if (wired !== undefined) out[key] = wired;
    }
    return out;
  } finally {
    seen.delete(object);
  }
}

/** Chunk types are reported as their message type, as the Platform does ("AIMessageChunk" -> "ai"). */
function messageType(type: string): string {
  const chunk = /^(AI|Human|System|Tool|Function|Chat|Remove)MessageChunk$/.exec(type);
  if (!chunk) return type;
  return chunk[1] === 'AI' ? 'ai' : chunk[1]!.toLowerCase();
}
