/** The value of one sample (`name{labels} value`) in Prometheus' text format, 0 when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').split(',');
    if (wanted.every((pair) => have.includes(pair))) return Number(match[3]);
  }
  return 0;
}

/** GET /metrics of a running Switchboard, as text. */
export async function scrapeMetrics(url: string, headers: Record<string, string> = {}): Promise<string> {
  return (await fetch(`${url}/metrics`, { headers })).text();
}
