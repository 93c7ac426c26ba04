import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { ModelSpec } from '../../config/schema.ts';
import { OfflineChatModel } from './offline.ts';

export type ModelSettings = Partial<ModelSpec>;

let settings: ModelSettings = { provider: 'auto' };
let environment: NodeJS.ProcessEnv = process.env;

/** Set once at start-up from the config's `model` section (and in tests). */
export function configureChatModel(spec: ModelSettings, env: NodeJS.ProcessEnv = process.env): void {
  settings = { ...spec };
  environment = env;
}

export type ResolvedProvider = 'offline' | 'openai' | 'anthropic';

/**
 * `auto` uses a real model when its key is in the environment (OpenAI or an
 * OpenAI-compatible endpoint first, then Anthropic) and the offline model otherwise, so
 * the default config works with no key and no network.
 */
export function resolveProvider(spec: ModelSettings = settings, env: NodeJS.ProcessEnv = environment): ResolvedProvider {
  const provider = spec.provider ?? 'auto';
  if (provider !== 'auto') return provider;
  if (spec.api_key && spec.base_url) return 'openai';
  if (env.OPENAI_API_KEY) return 'openai';
  if (env.ANTHROPIC_API_KEY) return 'anthropic';
  return 'offline';
}

/**
 * The chat model for one run. An assistant can override the configured model through
 * its configurable keys: `model` ("offline", "openai:gpt-4o-mini", "anthropic:…") and
 * `token_delay_ms` for the offline model.
 */
export async function chatModelFor(config?: RunnableConfig): Promise<BaseChatModel> {
  const configurable = (config?.configurable ?? {}) as Record<string, unknown>;
  const spec: ModelSettings = { ...settings };
  if (typeof configurable.model === 'string') {
    const [provider, ...name] = configurable.model.split(':');
    if (provider === 'offline' || provider === 'openai' || provider === 'anthropic') spec.provider = provider;
    if (name.length > 0) spec.name = name.join(':');
  }
  if (typeof configurable.token_delay_ms === 'number') spec.token_delay_ms = configurable.token_delay_ms;
  const provider = resolveProvider(spec);
  if (provider === 'openai') {
    const { ChatOpenAI } = await import('@langchain/openai');
    const baseURL = spec.base_url ?? environment.OPENAI_BASE_URL;
    return new ChatOpenAI({
      model: spec.name ?? environment.OPENAI_MODEL ?? 'gpt-4o-mini',
      apiKey: spec.api_key ?? environment.OPENAI_API_KEY ?? 'not-needed',
      // Not `streaming: true`: LangGraph streams tokens itself when a client asks for
      // them, and the streaming `invoke` path estimates usage with a tokenizer it
      // downloads from the internet, which hangs next to an offline local endpoint.
      ...(spec.temperature === undefined ? {} : { temperature: spec.temperature }),
      ...(baseURL ? { configuration: { baseURL } } : {}),
    });
  }
  if (provider === 'anthropic') {
    const { ChatAnthropic } = await import('@langchain/anthropic');
    const apiUrl = spec.base_url ?? environment.ANTHROPIC_BASE_URL;
    const apiKey = spec.api_key ?? environment.ANTHROPIC_API_KEY;
    return new ChatAnthropic({
      model: spec.name ?? environment.ANTHROPIC_MODEL ?? 'claude-sonnet-4-5',
      ...(apiKey ? { apiKey } : {}),
      ...(spec.temperature === undefined ? {} : { temperature: spec.temperature }),
      ...(apiUrl ? { anthropicApiUrl: apiUrl } : {}),
    });
  }
  return new OfflineChatModel({ tokenDelayMs: spec.token_delay_ms ?? 0 });
}
