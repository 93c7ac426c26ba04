// The playground page: channels, threads and named users over Switchboard's chat layer.
// Plain JavaScript with no build step; every change arrives over server-sent events.
import { refreshInfo, refreshInfoSoon } from './info.js';
import { onFeedbackClick, onOptionClick, renderChannel, renderChannels, renderThread } from './render.js';
import { $, api, NAME_KEY, showError, state } from './state.js';

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

async function clickFeedback(message, positive, button) {
  const user = requireName();
  if (!user) return;
  button.disabled = true;
  try {
    const { threadId, runId } = message.feedback;
    await api('POST', '/playground/api/feedback', { user, channel: message.channel, thread: message.thread ?? message.id, threadId, runId, positive });
    state.votes.set(runId, positive);
    showError('');
    renderChannel();
    renderThread();
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
onOptionClick((message, index, button) => clickOption(message, index, button));
onFeedbackClick((message, positive, button) => clickFeedback(message, positive, button));
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
