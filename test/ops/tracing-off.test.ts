import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOtlpReceiver } from '../fakes/otlp.ts';
import { runTs } from '../helpers/child.ts';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/traced-start.ts');

/** The OpenTelemetry packages a whole start, run and stop loaded, in a fresh process. */
async function packagesLoaded(env: NodeJS.ProcessEnv): Promise<string[]> {
  const child = runTs(FIXTURE, [], { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', ...env });
  const line = await child.waitFor(/^OTEL_PACKAGES /, 60_000);
  expect(await child.exited).toBe(0);
  return JSON.parse(line.slice('OTEL_PACKAGES '.length)) as string[];
}

describe('tracing costs nothing when OTEL_EXPORTER_OTLP_ENDPOINT is unset', () => {
  const receiver = new FakeOtlpReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('a start, an HTTP run and a stop load no OpenTelemetry package without the variable, and the SDK and exporter with it', async () => {
    expect(await packagesLoaded({})).toEqual([]);
    // The same process with the variable set: the recorder sees the packages, so the empty list above means something.
    const withTracing = await packagesLoaded({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    expect(withTracing).toEqual(expect.arrayContaining(['@opentelemetry/api', '@opentelemetry/sdk-trace-node', '@opentelemetry/exporter-trace-otlp-http']));
    expect(receiver.named('run').length).toBeGreaterThan(0);
  }, 120_000);
});
