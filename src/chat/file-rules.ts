/**
 * What files the chat layer takes (chat.files) and how they are named to people. Small
 * helpers shared by files in (attachments people send) and files out (what graphs answer).
 */

/** Whether a mime type matches one of the patterns (`image/*`, `application/pdf`, `*\/*`). Parameters (`; charset=…`) are ignored. */
export function mimeAllowed(mimeType: string, patterns: readonly string[]): boolean {
  const type = baseMime(mimeType);
  return patterns.some((pattern) => {
    const wanted = pattern.toLowerCase();
    if (wanted === '*/*') return true;
    if (wanted.endsWith('/*')) return type.startsWith(wanted.slice(0, -1));
    return type === wanted;
  });
}

/** `text/plain; charset=utf-8` -> `text/plain`. */
export const baseMime = (mimeType: string) => (mimeType.split(';')[0] ?? '').trim().toLowerCase();

/** 1536 -> "1.5 KiB", 10485760 -> "10 MiB": sizes as people read them. */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number(value.toFixed(1))} ${units[unit]}`;
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'text/markdown': 'md',
  'application/json': 'json',
};

/** A file name for a file that came without one: `image-1.png`. */
export function defaultFileName(mimeType: string, index: number): string {
  const type = baseMime(mimeType);
  const kind = type.startsWith('image/') ? 'image' : 'file';
  return `${kind}-${index + 1}.${EXTENSIONS[type] ?? 'bin'}`;
}

/** A name safe to show and to send as a file name: no path, no control characters, at most 200 characters. */
export function safeFileName(name: string, fallback: string): string {
  const cleaned = name
    .replace(/[\\/]/g, '_')
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 200);
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? fallback : cleaned;
}

/** A name in markdown inline code, whatever backticks it holds. */
export const quotedName = (name: string) => `\`${name.replace(/`/g, "'")}\``;
