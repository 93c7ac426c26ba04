import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCompletion {
  authorization: string | undefined;
  body: { model: string; stream?: boolean; messages: Array<{ role: string; content: unknown }> };
}

/**
 * A local OpenAI-compatible chat completions endpoint: answers every request with a
 * fixed reply, streamed in word chunks when asked to stream, and records the requests.
 */
export async function startFakeOpenAI(reply: string): Promise<{ url: string; requests: RecordedCompletion[]; close(): Promise<void> }> {
  const requests: RecordedCompletion[] = [];
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    if (process.env.DEBUG_FAKE) console.log('FAKE', req.method, req.url, raw.slice(0, 200));
    const body = JSON.parse(raw || '{}') as RecordedCompletion['body'];
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    requests.push({ authorization: req.headers.authorization, body });
    const base = { id: 'chatcmpl-test', created: 1, model: body.model };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }] }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const words = reply.match(/\S+\s*/g) ?? [];
    words.forEach((word, index) => {
      const delta = index === 0 ? { role: 'assistant', content: word } : { content: word };
      res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`);
    });
    res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
    // With stream_options.include_usage, OpenAI ends with a usage-only chunk.
    const usage = { prompt_tokens: 10, completion_tokens: words.length, total_tokens: 10 + words.length };
    res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => (data += String(chunk)));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
