import { describe, expect, it } from 'vitest';
import { bothContained, filtersAsContainment, passes } from '../../src/http/auth/filters.ts';

describe("custom auth's filters", () => {
  it('hold a value to equality, $eq, or $contains (one value or several), as the Platform reads them', () => {
    expect(passes({ owner: 'ann' }, { owner: 'ann' })).toBe(true);
    expect(passes({ owner: 'bob' }, { owner: 'ann' })).toBe(false);
    expect(passes({}, { owner: 'ann' })).toBe(false);
    expect(passes({ owner: 'ann' }, { owner: { $eq: 'ann' } })).toBe(true);
    expect(passes({ members: ['ann', 'bob'] }, { members: { $contains: 'bob' } })).toBe(true);
    expect(passes({ members: ['ann'] }, { members: { $contains: ['ann', 'bob'] } })).toBe(false);
    expect(passes({ members: 'ann' }, { members: { $contains: 'ann' } })).toBe(false);
    expect(passes({ anything: 1 }, undefined)).toBe(true);
    expect(filtersAsContainment({ a: 'x', b: { $contains: 'y' } })).toEqual({ a: 'x', b: ['y'] });
  });

  it("join a search's own metadata filter to the user's so both hold, or say nothing can match", () => {
    expect(bothContained(undefined, { owner: 'ann' })).toEqual({ owner: 'ann' });
    expect(bothContained({ topic: 'x' }, { owner: 'ann' })).toEqual({ topic: 'x', owner: 'ann' });
    expect(bothContained({ owner: 'ann' }, { owner: 'ann' })).toEqual({ owner: 'ann' });
    expect(bothContained({ owner: 'bob' }, { owner: 'ann' })).toBeNull();
    expect(bothContained({ tags: ['a'] }, { tags: ['b'] })).toEqual({ tags: ['a', 'b'] });
    expect(bothContained({ tags: 'a' }, { tags: ['a'] })).toBeNull();
    expect(bothContained({ team: { id: 1 } }, { team: { name: 'x' } })).toEqual({ team: { id: 1, name: 'x' } });
  });
});
