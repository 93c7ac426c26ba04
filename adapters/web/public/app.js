// The playground page: channels, threads and named users over Switchboard's chat layer.
// Plain JavaScript with no build step; every change arrives over server-sent events.
import { renderMarkdown } from './markdown.js';

const $ = (id) => document.getElementById(id);
const NAME_KEY = 'switchboard.name';

const state = {
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
};

// ------------------------------------------------------------------ server calls

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const problems = Array.isArray(data.errors) ? data.errors.map((e) => `${e.field ? `${e.field}: ` : ''}${e.message}`).join('; ') : '';
    throw new Error(problems || data.detail || `${response.status} ${response.statusText}`);
  }
  return data;
}

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}

// ------------------------------------------------------------------ navigation

function readHash() {
  const [, channel, thread] = location.hash.split('/');
  return { channel: channel || state.channels[0] || 'general', thread: thread || null };
}

function go(channel, thread = null) {
  const hash = `#/${channel}${thread ? `/${thread}` : ''}`;
  if (location.hash !== hash) location.hash = hash;
  else void openView();
}

window.addEventListener('hashchange', () => void openView());

async function openView() {
  const { channel, thread } = readHash();
  const channelChanged = channel !== state.channel || state.messages.size === 0;
  state.channel = channel;
  state.thread = thread;
  if (channelChanged) await loadChannel();
  renderChannels();
  renderChannel();
  renderThread();
  if (thread) void refreshInfo();
}

async function loadChannel() {
  try {
    const { messages, busy } = await api('GET', `/playground/api/channels/${encodeURIComponent(state.channel)}/messages`);
    state.messages = new Map(messages.map((message) => [message.id, message]));
    state.busy = new Set(busy);
    state.ephemerals = state.ephemerals.filter((note) => note.channel === state.channel);
    showError('');
  } catch (error) {
    state.messages = new Map();
    showError(String(error.message));
  }
}

async function reloadAll() {
  const info = await api('GET', '/playground/api/state');
  state.channels = info.channels;
  state.command = info.command;
  $('command-hint').textContent = `${info.command} help`;
  await loadChannel();
  await openView();
}

// ------------------------------------------------------------------ rendering

const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

function renderChannels() {
  const list = $('channels');
  list.replaceChildren(
    ...state.channels.map((name) => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = `#/${name}`;
      link.textContent = `# ${name}`;
      if (name === state.channel) link.className = 'active';
      item.append(link);
      return item;
    }),
  );
  $('channel-title').textContent = `# ${state.channel}`;
  document.title = `#${state.channel} · Switchboard playground`;
}

function messageElement(message) {
  const item = document.createElement('li');
  item.className = `message${message.user.bot ? ' bot' : ''}`;
  item.dataset.id = message.id;
  item.dataset.testid = 'message';
  item.dataset.author = message.user.name;
  const meta = document.createElement('div');
  meta.className = 'meta';
  const author = document.createElement('b');
  author.className = 'author';
  author.textContent = message.user.name;
  const stamp = document.createElement('time');
  stamp.dateTime = message.created_at;
  stamp.textContent = time(message.created_at);
  meta.append(author, stamp);
  const body = document.createElement('div');
  body.className = 'body';
  body.innerHTML = renderMarkdown(message.prompt ? message.prompt.question : message.markdown);
  item.append(meta, body);
  if (message.prompt) item.append(promptElement(message));
  return item;
}

function promptElement(message) {
  const { prompt } = message;
  const box = document.createElement('div');
  box.className = 'prompt';
  if (prompt.answered) {
    box.dataset.testid = 'answered';
    box.innerHTML = `✔ <b></b> chose <b></b>`;
    const [who, what] = box.querySelectorAll('b');
    who.textContent = prompt.answered.by;
    what.textContent = prompt.answered.choice;
    return box;
  }
  prompt.options.forEach((option, index) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = option.label;
    button.className = option.style ?? '';
    button.addEventListener('click', () => void clickOption(message, index, button));
    box.append(button);
  });
  if (prompt.allowFreeText) {
    const hint = document.createElement('small');
    hint.textContent = prompt.options.length ? 'or type an answer in the thread' : 'type your answer in the thread';
    box.append(hint);
  }
  return box;
}

function ephemeralElement(note) {
  const item = document.createElement('li');
  item.className = 'message ephemeral';
  item.dataset.testid = 'ephemeral';
  item.innerHTML = '<div class="meta"><b class="author">switchboard</b><span class="only-you">only visible to you</span></div><div class="body"></div>';
  item.querySelector('.body').innerHTML = renderMarkdown(note.markdown);
  return item;
}

function repliesOf(rootId) {
  return [...state.messages.values()].filter((message) => message.thread === rootId);
}

function renderChannel() {
  const list = $('messages');
  const atBottom = nearBottom(list);
  const roots = [...state.messages.values()].filter((message) => message.thread === null);
  const items = roots.map((root) => {
    const item = messageElement(root);
    if (root.id === state.thread) item.classList.add('open');
    const replies = repliesOf(root.id).length;
    const footer = document.createElement('a');
    footer.className = 'replies';
    footer.href = `#/${state.channel}/${root.id}`;
    footer.dataset.testid = 'open-thread';
    footer.textContent = state.busy.has(root.id) ? `${replies} ${replies === 1 ? 'reply' : 'replies'} · working…` : replies ? `${replies} ${replies === 1 ? 'reply' : 'replies'}` : 'open thread';
    if (state.busy.has(root.id)) footer.classList.add('busy');
    item.append(footer);
    return item;
  });
  const notes = state.ephemerals.filter((note) => note.thread === null);
  list.replaceChildren(...inOrder(roots, items, notes));
  if (atBottom) list.scrollTop = list.scrollHeight;
}

/** Messages and private notices interleaved by time (a notice's `at` is the server's clock, as message ids are). */
function inOrder(messages, elements, notes) {
  const keyed = messages.map((message, index) => [message.id, elements[index]]);
  for (const note of notes) keyed.push([`${String(note.at).padStart(13, '0')}.999999`, ephemeralElement(note)]);
  return keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, element]) => element);
}

function renderThread() {
  const pane = $('thread-pane');
  pane.hidden = !state.thread;
  document.body.classList.toggle('with-thread', Boolean(state.thread));
  if (!state.thread) return;
  const list = $('thread-messages');
  const atBottom = nearBottom(list);
  const root = state.messages.get(state.thread);
  const messages = [root, ...repliesOf(state.thread)].filter(Boolean);
  const notes = state.ephemerals.filter((note) => note.thread === state.thread);
  list.replaceChildren(...inOrder(messages, messages.map(messageElement), notes));
  $('typing').hidden = !state.busy.has(state.thread);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

const nearBottom = (list) => list.scrollHeight - list.scrollTop - list.clientHeight < 80;

let infoTimer;
function refreshInfoSoon() {
  clearTimeout(infoTimer);
  infoTimer = setTimeout(() => void refreshInfo(), 120);
}

async function refreshInfo() {
  if (!state.thread) return;
  const thread = state.thread;
  let info;
  try {
    info = await api('GET', `/playground/api/channels/${encodeURIComponent(state.channel)}/threads/${encodeURIComponent(thread)}`);
  } catch {
    return;
  }
  if (thread !== state.thread) return;
  const rows = [
    ['assistant', info.assistant ? `${info.assistant.name} (version ${info.assistant.version}, graph ${info.assistant.graph_id})` : '—'],
    ['thread', info.thread_id ?? 'starts with the first message'],
    ['status', info.busy ? 'busy' : (info.thread_status ?? 'idle')],
    ['last run', info.run ? info.run.status : '—'],
    ['strategy', info.strategy],
  ];
  const dl = $('info');
  dl.replaceChildren();
  for (const [label, value] of rows) {
    const term = document.createElement('dt');
    term.textContent = label;
    const detail = document.createElement('dd');
    detail.dataset.testid = `info-${label.replace(' ', '-')}`;
    detail.textContent = value;
    dl.append(term, detail);
  }
  if (info.links) {
    const term = document.createElement('dt');
    term.textContent = 'as JSON';
    const detail = document.createElement('dd');
    for (const [label, href] of [
      ['state', info.links.state],
      ['history', info.links.history],
    ]) {
      const link = document.createElement('a');
      link.href = href;
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = label;
      link.dataset.testid = `link-${label}`;
      detail.append(link, ' ');
    }
    dl.append(term, detail);
  }
}

// ------------------------------------------------------------------ live events

function connect() {
  const events = new EventSource('/playground/api/events');
  const status = $('connection');
  events.addEventListener('hello', () => {
    status.dataset.state = 'connected';
    status.textContent = 'connected';
    // Whatever happened while disconnected (a restart, say) is in storage: reload it.
    void reloadAll().catch((error) => showError(String(error.message)));
  });
  events.addEventListener('error', () => {
    status.dataset.state = 'reconnecting';
    status.textContent = 'reconnecting…';
  });
  events.addEventListener('message', (event) => {
    const { message } = JSON.parse(event.data);
    if (message.channel !== state.channel) return;
    state.messages.set(message.id, message);
    renderChannel();
    if (state.thread && (message.id === state.thread || message.thread === state.thread)) {
      renderThread();
      refreshInfoSoon();
    }
  });
  events.addEventListener('ephemeral', (event) => {
    const note = JSON.parse(event.data);
    if (note.to !== state.me || note.channel !== state.channel) return;
    state.ephemerals.push(note);
    if (note.thread === null) renderChannel();
    else if (note.thread === state.thread) {
      renderThread();
      refreshInfoSoon();
    }
  });
  events.addEventListener('status', (event) => {
    const status = JSON.parse(event.data);
    if (status.channel !== state.channel || !status.thread) return;
    if (status.busy) state.busy.add(status.thread);
    else state.busy.delete(status.thread);
    renderChannel();
    if (status.thread === state.thread) {
      renderThread();
      refreshInfoSoon();
    }
  });
  events.addEventListener('channel', (event) => {
    const { name } = JSON.parse(event.data);
    if (!state.channels.includes(name)) state.channels = [...state.channels, name].sort();
    renderChannels();
  });
}

// ------------------------------------------------------------------ actions

function requireName() {
  const name = $('name').value.trim();
  if (!name) {
    showError('Pick a name first (top left): it is who you are in the playground.');
    $('name').focus();
    return null;
  }
  return name;
}

async function send(text, thread) {
  const user = requireName();
  if (!user) return false;
  try {
    const result = await api('POST', `/playground/api/channels/${encodeURIComponent(state.channel)}/messages`, { user, text, ...(thread ? { thread } : {}) });
    showError('');
    if (!thread && result.id) go(state.channel, result.id);
    return true;
  } catch (error) {
    showError(String(error.message));
    return false;
  }
}

async function clickOption(message, optionIndex, button) {
  const user = requireName();
  if (!user) return;
  button.disabled = true;
  try {
    await api('POST', '/playground/api/actions', { user, channel: message.channel, thread: message.thread ?? message.id, promptId: message.prompt.promptId, optionIndex });
    showError('');
  } catch (error) {
    showError(String(error.message));
  } finally {
    button.disabled = false;
  }
}

function bindComposer(form, textarea, thread) {
  const submit = async () => {
    const text = textarea.value;
    if (!text.trim()) return;
    textarea.value = '';
    if (!(await send(text, thread()))) textarea.value = text;
    textarea.focus();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  textarea.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      void submit();
    }
  });
}

$('name').value = state.me;
$('name').addEventListener('input', () => {
  state.me = $('name').value.trim();
  localStorage.setItem(NAME_KEY, state.me);
  state.ephemerals = [];
  renderChannel();
  renderThread();
});
bindComposer($('composer'), $('text'), () => null);
bindComposer($('reply-composer'), $('reply-text'), () => state.thread);
$('close-thread').addEventListener('click', () => go(state.channel));
$('new-channel').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('new-channel-name');
  const name = input.value.trim().toLowerCase().replace(/^#/, '');
  if (!name) return;
  try {
    await api('POST', '/playground/api/channels', { name });
    input.value = '';
    if (!state.channels.includes(name)) state.channels = [...state.channels, name].sort();
    go(name);
  } catch (error) {
    showError(String(error.message));
  }
});

connect();
