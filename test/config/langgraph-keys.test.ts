import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

/** langgraph.json's http.mount_prefix, webhooks and checkpointer.serde: each honoured, or refused at start naming the key. */
describe('langgraph.json: mount_prefix, webhooks, checkpointer.serde', () => {
  const temps: Array<{ cleanup: () => void }> = [];
  afterEach(() => {
    for (const temp of temps.splice(0)) temp.cleanup();
  });

  function project(extra: Record<string, unknown>) {
    const temp = makeTempDir('switchboard-keys-');
    temps.push(temp);
    mkdirSync(join(temp.dir, 'src'));
    writeFileSync(join(temp.dir, 'src/agent.ts'), 'export const graph = 1;\n');
    writeFileSync(join(temp.dir, 'langgraph.json'), JSON.stringify({ dependencies: ['.'], graphs: { agent: './src/agent.ts:graph' }, ...extra }));
    return (env: Record<string, string> = {}) => loadConfig({ cwd: temp.dir, env: { SWITCHBOARD_CONFIG: 'langgraph.json', ...env } });
  }

  function problemsOf(load: (env?: Record<string, string>) => unknown, env: Record<string, string> = {}): Array<{ key: string; message: string }> {
    try {
      load(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('serves http.mount_prefix, and refuses a prefix without a leading "/", with a trailing "/", or with odd characters, saying how to write it', () => {
    expect(project({ http: { mount_prefix: '/my-agent/api' } })().http.mount_prefix).toBe('/my-agent/api');
    const missingSlash = problemsOf(project({ http: { mount_prefix: 'my-agent' } }));
    expect(missingSlash).toContainEqual(expect.objectContaining({ key: 'http.mount_prefix', message: 'must start with "/", e.g. "/my-agent"' }));
    const trailing = problemsOf(project({ http: { mount_prefix: '/my-agent/' } }));
    expect(trailing).toContainEqual(expect.objectContaining({ key: 'http.mount_prefix', message: expect.stringContaining('must not end with "/"') }));
    expect(problemsOf(project({ http: { mount_prefix: '/' } })).map((problem) => problem.key)).toContain('http.mount_prefix');
    expect(problemsOf(project({ http: { mount_prefix: '/a b?x' } }))).toContainEqual(
      expect.objectContaining({ key: 'http.mount_prefix', message: expect.stringContaining('path segments') }),
    );
  });

  it("serves webhooks with the Platform's URL defaults and resolves ${{ env.LG_WEBHOOK_… }} headers at start, from the file's env too", () => {
    const load = project({
      env: { LG_WEBHOOK_FROM_FILE: 'file-value' },
      webhooks: {
        url: { allowed_domains: ['hooks.example.com', '*.corp.example'] },
        headers: { authorization: 'Bearer ${{ env.LG_WEBHOOK_TOKEN }}', 'x-both': '${{env.LG_WEBHOOK_FROM_FILE}}/${{ env.LG_WEBHOOK_TOKEN }}', 'x-plain': '${NOT_A_TEMPLATE}' },
        allowed_fields: ['run_id', 'status'],
      },
    });
    const config = load({ LG_WEBHOOK_TOKEN: 's3cret' });
    expect(config.webhooks).toEqual({
      env_prefix: 'LG_WEBHOOK_',
      url: {
        require_https: true,
        allowed_domains: ['hooks.example.com', '*.corp.example'],
        allowed_ports: [],
        max_url_length: 2048,
        disable_loopback: false,
        disable_private_ips: false,
      },
      // `${NAME}` (Switchboard's own interpolation) is not applied here: only the Platform's templates are.
      headers: { authorization: 'Bearer s3cret', 'x-both': 'file-value/s3cret', 'x-plain': '${NOT_A_TEMPLATE}' },
      allowed_fields: ['run_id', 'status'],
    });
    expect(config.notices.join('\n')).not.toContain('webhooks');
  });

  it('refuses a header template that names a variable outside env_prefix, an unset one, or anything but env, each at its header', () => {
    const problems = problemsOf(
      project({
        webhooks: {
          env_prefix: 'HOOK_',
          headers: { 'x-leak': '${{ env.DATABASE_URL }}', 'x-unset': '${{ env.HOOK_MISSING }}', 'x-expr': '${{ secrets.TOKEN }}', 'x-ok': '${{ env.HOOK_SET }}' },
        },
      }),
      { HOOK_SET: 'v' },
    );
    expect(problems.map((problem) => problem.key).sort()).toEqual(['webhooks.headers.x-expr', 'webhooks.headers.x-leak', 'webhooks.headers.x-unset']);
    expect(problems.find((problem) => problem.key === 'webhooks.headers.x-leak')?.message).toBe('environment variable DATABASE_URL must start with the env_prefix "HOOK_"');
    expect(problems.find((problem) => problem.key === 'webhooks.headers.x-unset')?.message).toBe('environment variable HOOK_MISSING is not set');
    expect(project({ webhooks: { env_prefix: 'HOOK_', headers: { 'x-ok': '${{ env.HOOK_SET }}' } } })({ HOOK_SET: 'v' }).webhooks?.headers).toEqual({ 'x-ok': 'v' });
  });

  it('refuses an unknown webhooks key, a wildcard that is not a prefix, and a payload field the Platform does not send', () => {
    const problems = problemsOf(project({ webhooks: { url: { allowed_domains: ['hooks.*.com'], block_everything: true }, allowed_fields: ['run_id', 'secret'], retries: 3 } }));
    const keys = problems.map((problem) => problem.key);
    expect(keys).toEqual(expect.arrayContaining(['webhooks', 'webhooks.url', 'webhooks.url.allowed_domains[0]', 'webhooks.allowed_fields[1]']));
    expect(problems.find((problem) => problem.key === 'webhooks.url.allowed_domains[0]')?.message).toContain('"*.example.com"');
  });

  it('accepts checkpointer.serde with a start notice saying why a JS project ignores it, and refuses a malformed one by key', () => {
    const config = project({ checkpointer: { serde: { allowed_json_modules: [['my_agent', 'models', 'Thing']], pickle_fallback: false } } })();
    expect(config.notices).toContainEqual(expect.stringContaining('"checkpointer.serde" ignored'));
    expect(config.notices.find((notice) => notice.includes('serde'))).toContain('LangGraph JS checkpoints are JSON');
    expect(project({ checkpointer: { serde: { allowed_json_modules: true } } })().notices.some((notice) => notice.includes('serde'))).toBe(true);
    const problems = problemsOf(project({ checkpointer: { serde: { pickle_fallback: 'yes', allowed_json_modules: 'my_agent', compress: true } } }));
    expect(problems.map((problem) => problem.key).sort()).toEqual(['checkpointer.serde.allowed_json_modules', 'checkpointer.serde.compress', 'checkpointer.serde.pickle_fallback']);
  });
});
