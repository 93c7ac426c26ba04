import { afterAll, beforeAll, vi } from 'vitest';
import { FakeLangSmith } from '../fakes/langsmith.ts';

/**
 * LangSmith tracing on, against a fake LangSmith started for the file: LangChain's tracer
 * (and Switchboard's feedback) read these settings from process.env, as in production.
 * Call it in a `describe`: it registers the hooks.
 */
export function useFakeLangSmith(): FakeLangSmith {
  const langsmith = new FakeLangSmith();
  beforeAll(async () => {
    await langsmith.start();
    vi.stubEnv('LANGSMITH_TRACING', 'true');
    vi.stubEnv('LANGSMITH_API_KEY', 'lsv2-local-test');
    vi.stubEnv('LANGSMITH_ENDPOINT', langsmith.url);
    vi.stubEnv('LANGSMITH_PROJECT', 'switchboard-tests');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await langsmith.stop();
  });
  return langsmith;
}
