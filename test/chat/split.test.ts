import { describe, expect, it } from 'vitest';
import { splitMessage } from '../../src/chat/split.ts';

const a = (n: number) => 'a'.repeat(n);
const b = (n: number) => 'b'.repeat(n);

// With limit 100 the cut is looked for in the first 96 characters (4 kept to close a code
// fence), and a separator counts only in the second half of those (from character 48).
describe('splitting a reply at the platform limit', () => {
  it('keeps a text of exactly the limit whole, and refuses a limit too small to split at', () => {
    expect(splitMessage(a(100), 100)).toEqual([a(100)]);
    expect(splitMessage('', 100)).toEqual(['']);
    expect(() => splitMessage(a(30), 19)).toThrow('split limit too small');
    expect(splitMessage(a(30), 20)).toEqual([a(16), a(14)]);
  });

  it('cuts at a paragraph break before a line break, a sentence end or a space', () => {
    expect(splitMessage(`${a(50)}\n\n${a(10)}\n${a(10)}. ${a(10)} ${b(60)}`, 100)).toEqual([`${a(50)}\n\n`, `${a(10)}\n${a(10)}. ${a(10)} ${b(60)}`]);
    expect(splitMessage(`${a(60)}\n\n${b(60)}`, 100)).toEqual([`${a(60)}\n\n`, b(60)]);
  });

  it('without a paragraph break, cuts at the last line break, then a sentence end, then a space', () => {
    expect(splitMessage(`${a(50)}. ${a(10)}\n${b(60)}`, 100)).toEqual([`${a(50)}. ${a(10)}\n`, b(60)]);
    expect(splitMessage(`${a(50)} ${a(10)}. ${b(60)}`, 100)).toEqual([`${a(50)} ${a(10)}. `, b(60)]);
    expect(splitMessage(`${a(60)} ${b(60)}`, 100)).toEqual([`${a(60)} `, b(60)]);
  });

  it('takes a separator in the second half of the window (from character 48), not before, and cuts mid-word only as a last resort', () => {
    expect(splitMessage(`${a(48)} ${b(100)}`, 100)).toEqual([`${a(48)} `, b(100)]);
    expect(splitMessage(`${a(47)} ${b(100)}`, 100)).toEqual([`${a(47)} ${b(48)}`, b(52)]);
    expect(splitMessage(`${a(10)}\n\n${b(150)}`, 100)).toEqual([`${a(10)}\n\n${b(84)}`, b(66)]);
    expect(splitMessage(a(250), 100)).toEqual([a(96), a(96), a(58)]);
  });

  it('drops the line breaks a part would start with', () => {
    expect(splitMessage(`${a(95)}\n\n\n${b(20)}`, 100)).toEqual([`${a(95)}\n`, b(20)]);
  });

  it('closes a code block cut in two and reopens it, with its language, in the next part', () => {
    const code = `\`\`\`js\n${'let x = 1;\n'.repeat(20)}\`\`\``;
    const parts = splitMessage(code, 100);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(100);
    expect(parts[0]).toBe(`\`\`\`js\n${'let x = 1;\n'.repeat(8)}\`\`\``);
    for (const part of parts.slice(1)) expect(part.startsWith('```js\nlet x = 1;\n')).toBe(true);
    for (const part of parts.slice(0, -1)) expect(part.endsWith('let x = 1;\n```')).toBe(true);
    const body = parts.map((part) => part.replace(/^```js\n/, '').replace(/```$/, '')).join('');
    expect(`\`\`\`js\n${body}\`\`\``).toBe(code);
  });

  it('reopens a code block without a language as a bare fence, and adds the line break a close needs', () => {
    const parts = splitMessage(`\`\`\`\n${b(150)}`, 100);
    expect(parts[0]).toBe(`\`\`\`\n${b(92)}\n\`\`\``);
    expect(parts[1]).toBe(`\`\`\`\n${b(58)}`);
  });

  it('leaves a code block closed before the cut alone', () => {
    const text = `\`\`\`\ncode\n\`\`\`\n${a(60)} ${b(60)}`;
    expect(splitMessage(text, 100)).toEqual([`\`\`\`\ncode\n\`\`\`\n${a(60)} `, b(60)]);
  });

  it('makes no empty part of line breaks left after the last cut', () => {
    expect(splitMessage(`${'x'.repeat(15)}\n${'\n'.repeat(7)}`, 20)).toEqual([`${'x'.repeat(15)}\n`]);
  });

  it('keeps the blank lines a reopened code block starts with: inside code they are content', () => {
    const text = `\`\`\`js\n${a(20)}${'\n'.repeat(12)}${b(20)}\n\`\`\``;
    expect(splitMessage(text, 40)).toEqual([`\`\`\`js\n${a(20)}${'\n'.repeat(10)}\`\`\``, `\`\`\`js\n\n\n${b(20)}\n\`\`\``]);
  });

  it('a fence only opens at the start of a line: three backticks inside a sentence add no fences', () => {
    const parts = splitMessage(`Use \`\`\` to open a block, then ${'word '.repeat(20)}`, 40);
    expect(parts[0]).toBe('Use ``` to open a block, then word ');
    expect(parts.join('').match(/```/g)).toHaveLength(1);
  });
});
