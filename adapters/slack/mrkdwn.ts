/**
 * Markdown as models write it -> Slack's mrkdwn: **bold** -> *bold*, *italic* / _italic_ ->
 * _italic_, ~~strike~~ -> ~strike~, [text](url) -> <url|text>, # headings -> bold lines,
 * list bullets -> •. &, < and > are escaped (Slack's control characters); code spans and
 * blocks are kept as they are, escaped but otherwise untouched.
 */
export function toMrkdwn(markdown: string): string {
  const kept: string[] = [];
  const keep = (text: string) => `\u0000${kept.push(text) - 1}\u0000`;
  let text = markdown.replace(/```[\s\S]*?```/g, (block) => keep(escapeHtml(block))).replace(/`[^`\n]+`/g, (code) => keep(escapeHtml(code)));
  text = escapeHtml(text)
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, (_m, label: string, url: string) => keep(`<${url}|${label}>`))
    .replace(/^#{1,6}\s+(.+)$/gm, (_m, heading: string) => keep(`*${heading.replace(/\*\*/g, '')}*`))
    .replace(/\*\*(.+?)\*\*|__(.+?)__/g, (_m, a: string | undefined, b: string | undefined) => keep(`*${a ?? b}*`))
    .replace(/(^|[^*\w])\*(?!\s)([^*\n]+?)\*(?!\w)/g, (_m, before: string, inner: string) => `${before}_${inner}_`)
    .replace(/~~(.+?)~~/g, '~$1~')
    .replace(/^(\s*)[-*+]\s+/gm, '$1• ')
    .replace(/^&gt;\s?/gm, '> ');
  return text.replace(/\u0000(\d+)\u0000/g, (_m, index: string) => kept[Number(index)]!);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
