// The playground page's state and its calls to the server.

export const $ = (id) => document.getElementById(id);
export const NAME_KEY = 'switchboard.name';

export const state = {
  me: localStorage.getItem(NAME_KEY) ?? 'guest',
  command: '/sb',
  channels: [],
  channel: 'general',
  thread: null,
  /** id -> message, for the open channel (its threads' replies included). */
  messages: new Map(),
  /** Root ids of the open channel's conversations with a run in flight. */
  busy: new Set(),
  /** Private notices for me in the open channel: { id, thread, markdown }. */
  ephemerals: [],
  /** My 👍 (true) or 👎 (false) per run, as given from this page. */
  votes: new Map(),
};

// ------------------------------------------------------------------ server calls

export async function api(method, path, body) {
  // A form (a message with files) goes as multipart; the browser sets its content type.
  const isForm = body instanceof FormData;
  const response = await fetch(path, {
    method,
    // JSON errors (with their field list) are given to clients that ask for them.
    headers: body === undefined || isForm ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const problems = Array.isArray(data.errors) ? data.errors.map((e) => `${e.field ? `${e.field}: ` : ''}${e.message}`).join('; ') : '';
    throw new Error(problems || data.detail || `${response.status} ${response.statusText}`);
  }
  return data;
}

export function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}
