import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What `GET /metrics` shows, in Prometheus' text format: runs by final status and graph,
 * how long they ran, how many run now, double texts by strategy, HTTP request durations by
 * route, and the process's own figures (CPU, memory, event loop lag). One registry for the
 * process: every engine and route in it reports here.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const runsTotal = new Counter({
  name: 'switchboard_runs_total',
  help: 'Runs that reached a final status, by status and graph.',
  labelNames: ['status', 'graph'] as const,
  registers: [registry],
});

export const runDuration = new Histogram({
  name: 'switchboard_run_duration_seconds',
  help: 'How long a run executed, from the moment it started running to its final status.',
  labelNames: ['graph'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  registers: [registry],
});

export const runsInFlight = new Gauge({ name: 'switchboard_runs_in_flight', help: 'Runs executing in this process now.', registers: [registry] });

export const doubleTexts = new Counter({
  name: 'switchboard_double_texts_total',
  help: 'Runs created while their thread was busy, by the strategy that handled them.',
  labelNames: ['strategy'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'switchboard_http_request_duration_seconds',
  help: 'HTTP requests by route pattern, method and status.',
  labelNames: ['route', 'method', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [registry],
});

const platformErrors = new Counter({
  name: 'switchboard_platform_errors_total',
  help: 'Failed calls to a chat platform, by platform and code (the HTTP status, or the error Slack named such as ratelimited; unreachable for network errors).',
  labelNames: ['platform', 'code'] as const,
  registers: [registry],
});

/** One failed call to a platform's API (429s included, even those its client waits out and retries). */
export function countPlatformError(platform: string, code: string | number): void {
  platformErrors.inc({ platform, code: String(code) });
}

/** Gauges read when scraped (runs pending, outbox items per platform): each a function asked at that moment. */
export function gaugeOf(name: string, help: string, labelNames: string[], read: () => Promise<Array<{ labels?: Record<string, string>; value: number }>>): void {
  registry.removeSingleMetric(name);
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      for (const { labels, value } of await read().catch(() => [])) {
        if (labels) this.set(labels, value);
        else this.set(value);
      }
    },
  });
}
