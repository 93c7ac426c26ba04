/**
 * How deep JSON taken in may nest. Real requests nest a few levels (a message's content
 * blocks, a tool call's arguments: ten or so); thousands of levels overflow the stack of
 * whatever walks the value later (structuredClone, JSON.stringify), long after the request
 * was accepted. So every JSON body and query value is refused past this depth, on every
 * route, before it reaches the engine or storage.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than `max` (walked without recursion, so any depth is safe to check). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
