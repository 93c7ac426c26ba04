/**
 * Splits a long reply into messages of at most `limit` characters without losing a
 * character: at a paragraph break if one is near the end, else a line break, a sentence
 * end, a space, and only as a last resort mid-word. A code block cut in two is closed at
 * the end of one part and reopened at the start of the next.
 */
export function splitMessage(text: string, limit: number): string[] {
  if (limit < 20) throw new Error('split limit too small');
  if (text.length <= limit) return [text];
  const parts: string[] = [];
  let rest = text;
  let reopen = '';
  while (rest.length > 0) {
    const budget = limit - reopen.length;
    if (rest.length <= budget) {
      parts.push(reopen + rest);
      break;
    }
    // Leave room to close a code block if the cut lands inside one.
    let cut = findCut(rest, budget - 4);
    let head = rest.slice(0, cut);
    const open = openFence(reopen + head);
    if (open !== null) {
      head = head.replace(/\n?$/, '\n');
      parts.push(`${reopen}${head}\`\`\``);
      reopen = `\`\`\`${open}\n`;
    } else {
      parts.push(reopen + head);
      reopen = '';
    }
    rest = rest.slice(cut);
    // A part never starts with the whitespace it was cut at.
    if (reopen === '') {
      const trimmed = rest.replace(/^\n+/, '');
      cut = rest.length - trimmed.length;
      rest = trimmed;
    }
  }
  return parts;
}

function findCut(text: string, budget: number): number {
  const window = text.slice(0, budget);
  const floor = Math.floor(budget * 0.5);
  for (const separator of ['\n\n', '\n', '. ', ' ']) {
    const at = window.lastIndexOf(separator);
    if (at >= floor) return at + separator.length;
  }
  return budget;
}

/** The language of the code fence left open at the end of `text`, or null if none is open. */
function openFence(text: string): string | null {
  let open: string | null = null;
  for (const match of text.matchAll(/^```(\S*)/gm)) open = open === null ? (match[1] ?? '') : null;
  return open;
}
