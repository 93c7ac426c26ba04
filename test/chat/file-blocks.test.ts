import { describe, expect, it } from 'vitest';
import { humanSize, mimeAllowed, safeFileName } from '../../src/chat/file-rules.ts';
import { answerFiles } from '../../src/chat/files-out.ts';

describe('which files an answer holds, and which files are taken', () => {
  it('finds image / file blocks of the AI messages after the last human message, in every form graphs write them', () => {
    const png = Buffer.from('png-bytes').toString('base64');
    const values = {
      messages: [
        { type: 'ai', content: [{ type: 'image', mimeType: 'image/png', data: 'old-answer' }] },
        { type: 'human', content: 'draw' },
        {
          type: 'ai',
          content: [
            { type: 'text', text: 'here' },
            { type: 'image', mimeType: 'image/png', data: png, metadata: { filename: 'chart.png' } },
            { type: 'file', source_type: 'base64', mime_type: 'application/pdf', data: 'cGRm', name: '../../etc/report.pdf' },
            { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${png}` } },
            { type: 'file', mimeType: 'text/csv', url: 'https://files.example.com/exports/q3%20sales.csv' },
            { type: 'image', url: 'ftp://nope/x.png' },
            { type: 'tool_use', id: 't1' },
          ],
        },
        { type: 'ai', content: 'just text' },
      ],
    };
    expect(answerFiles(values)).toEqual([
      { name: 'chart.png', mimeType: 'image/png', data: png },
      { name: '.._.._etc_report.pdf', mimeType: 'application/pdf', data: 'cGRm' },
      { name: 'image-3.jpg', mimeType: 'image/jpeg', data: png },
      { name: 'q3 sales.csv', mimeType: 'text/csv', url: 'https://files.example.com/exports/q3%20sales.csv' },
    ]);
    expect(answerFiles({ messages: [{ type: 'human', content: 'x' }] })).toEqual([]);
    expect(answerFiles(null)).toEqual([]);
  });

  it('matches mime patterns (wildcards, parameters ignored) and names sizes and files as people read them', () => {
    const defaults = ['image/*', 'application/pdf', 'text/*'];
    expect(mimeAllowed('image/png', defaults)).toBe(true);
    expect(mimeAllowed('text/plain; charset=utf-8', defaults)).toBe(true);
    expect(mimeAllowed('APPLICATION/PDF', defaults)).toBe(true);
    expect(mimeAllowed('application/zip', defaults)).toBe(false);
    expect(mimeAllowed('imagex/png', defaults)).toBe(false);
    expect(mimeAllowed('application/zip', ['*/*'])).toBe(true);
    expect([humanSize(1000), humanSize(1536), humanSize(10 * 1024 * 1024), humanSize(10 * 1024 * 1024 + 1)]).toEqual(['1000 B', '1.5 KiB', '10 MiB', '10 MiB']);
    expect([safeFileName('a/b\u0000.txt', 'f'), safeFileName('..', 'f'), safeFileName('  ', 'f')]).toEqual(['a_b.txt', 'f', 'f']);
  });
});
