import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../adapters/web/public/markdown.js';

describe("the playground's Markdown renderer", () => {
  it('never lets HTML through: text is escaped before any mark is turned into a tag', () => {
    const html = renderMarkdown('<script>alert(1)</script> <img src=x onerror=alert(1)> "quotes" & more');
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;quotes&quot; &amp; more');
  });

  it('links only http(s) addresses, opened in a new tab without an opener', () => {
    expect(renderMarkdown('[docs](https://example.com/a)')).toBe('<p><a href="https://example.com/a" target="_blank" rel="noopener noreferrer">docs</a></p>');
    expect(renderMarkdown('[x](javascript:alert(1))')).not.toContain('<a');
  });

  it('renders the marks models write: bold, italics, code, headings, lists, quotes and code blocks', () => {
    expect(renderMarkdown('**bold**, *it*, _also_ and `a<b`')).toBe('<p><strong>bold</strong>, <em>it</em>, <em>also</em> and <code>a&lt;b</code></p>');
    expect(renderMarkdown('# Title\n- one\n- two\n\n1. first\n2. second')).toBe('<h3>Title</h3><ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>');
    expect(renderMarkdown('> quoted')).toBe('<blockquote>quoted</blockquote>');
    expect(renderMarkdown('```ts\nconst a = 1 < 2;\n**not bold**\n```')).toBe('<pre><code>const a = 1 &lt; 2;\n**not bold**</code></pre>');
    expect(renderMarkdown('line one\nline two\n\nnext')).toBe('<p>line one<br>line two</p><p>next</p>');
  });

  it('keeps snake_case words and lone asterisks as they are', () => {
    expect(renderMarkdown('use max_chars and a * b * c')).toBe('<p>use max_chars and a * b * c</p>');
  });
});
