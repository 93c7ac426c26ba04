import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedMessage {
  apiKey: string | undefined;
  body: { model: string; stream?: boolean; messages: Array<{ role: string; content: unknown }> };
}

/**
 * A local stand-in for Anthropic's Messages API (`POST /v1/messages`): answers every
 * request with a fixed reply (as one JSON message, or as its event stream when asked to
 * stream) and records the requests.
 */
export async function startFakeAnthropic(reply: string): Promise<{ url: string; requests: RecordedMessage[]; close(): Promise<void> }> {
  const requests: RecordedMessage[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += String(chunk)));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/v1/messages')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"not_found_error","message":"no such route"}}');
        return;
      }
      const body = JSON.parse(raw || '{}') as RecordedMessage['body'];
      requests.push({ apiKey: req.headers['x-api-key'] as string | undefined, body });
      const message = { id: 'msg_test', type: 'message', role: 'assistant', model: body.model, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 5 } };
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ...message, content: [{ type: 'text', text: reply }], stop_reason: 'end_turn' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      send('message_start', { type: 'message_start', message: { ...message, content: [], stop_reason: null } });
      send('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
      for (const word of reply.match(/\S+\s*/g) ?? []) send('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: word } });
      send('content_block_stop', { type: 'content_block_stop', index: 0 });
      send('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } });
      send('message_stop', { type: 'message_stop' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
