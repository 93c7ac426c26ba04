// The playground page: channels, threads and named users over Switchboard's chat layer.
// Plain JavaScript with no build step; every change arrives over server-sent events.
import { onFormsChange, openForm } from './forms.js';
import { refreshInfo, refreshInfoSoon } from './info.js';
import { formatSize, onFeedbackClick, onOptionClick, renderChannel, renderChannels, renderThread } from './render.js';
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
    const { messages, busy } = await api('GET', `playground/api/channels/${encodeURIComponent(state.channel)}/messages`);
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
  const info = await api('GET', 'playground/api/state');
  state.channels = info.channels;
  state.command = info.command;
  $('command-hint').textContent = `${info.command} help`;
  await loadChannel();
  await openView();
}

// ------------------------------------------------------------------ live events

function connect() {
  const events = new EventSource('playground/api/events');
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

async function send(text, thread, files = []) {
  const user = requireName();
  if (!user) return false;
  let body = { user, text, ...(thread ? { thread } : {}) };
  if (files.length > 0) {
    body = new FormData();
    body.append('user', user);
    body.append('text', text);
    if (thread) body.append('thread', thread);
    for (const file of files) body.append('files', file, file.name);
  }
  try {
    const result = await api('POST', `playground/api/channels/${encodeURIComponent(state.channel)}/messages`, body);
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
    if (message.prompt.options[optionIndex]?.form) return await openForm(message, optionIndex, user);
    await api('POST', 'playground/api/actions', { user, channel: message.channel, thread: message.thread ?? message.id, promptId: message.prompt.promptId, optionIndex });
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
    await api('POST', 'playground/api/feedback', { user, channel: message.channel, thread: message.thread ?? message.id, threadId, runId, positive });
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

function bindComposer(form, textarea, thread, fileInput, pendingList) {
  /** Files chosen or pasted, sent with the next message. */
  let pending = [];
  const showPending = () => {
    pendingList.replaceChildren(
      ...pending.map((file, index) => {
        const chip = document.createElement('li');
        chip.dataset.testid = 'pending-file';
        chip.textContent = `${file.name} (${formatSize(file.size)}) `;
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.textContent = '×';
        remove.setAttribute('aria-label', `remove ${file.name}`);
        remove.addEventListener('click', () => {
          pending = pending.filter((_, at) => at !== index);
          showPending();
        });
        chip.append(remove);
        return chip;
      }),
    );
  };
  const add = (files) => {
    pending = [...pending, ...files];
    showPending();
  };
  fileInput.addEventListener('change', () => {
    add([...fileInput.files]);
    fileInput.value = '';
  });
  // A pasted screenshot (or copied file) is attached, as in Slack and Discord.
  textarea.addEventListener('paste', (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (files.length === 0) return;
    event.preventDefault();
    add(
      files.map((file, index) =>
        file.name && file.name !== 'image.png'
          ? file
          : new File([file], `pasted-${Date.now()}-${index + 1}.${(file.type.split('/')[1] || 'bin').replace(/\W/g, '')}`, { type: file.type }),
      ),
    );
  });
  const submit = async () => {
    const text = textarea.value;
    const files = pending;
    if (!text.trim() && files.length === 0) return;
    textarea.value = '';
    pending = [];
    showPending();
    if (!(await send(text, thread(), files))) {
      textarea.value = text;
      pending = files;
      showPending();
    }
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
onFormsChange(() => {
  renderChannel();
  renderThread();
});
onFeedbackClick((message, positive, button) => clickFeedback(message, positive, button));
bindComposer($('composer'), $('text'), () => null, $('files'), $('pending-files'));
bindComposer($('reply-composer'), $('reply-text'), () => state.thread, $('reply-files'), $('reply-pending-files'));
$('close-thread').addEventListener('click', () => go(state.channel));
$('new-channel').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('new-channel-name');
  const name = input.value.trim().toLowerCase().replace(/^#/, '');
  if (!name) return;
  try {
    await api('POST', 'playground/api/channels', { name });
    input.value = '';
    if (!state.channels.includes(name)) state.channels = [...state.channels, name].sort();
    go(name);
  } catch (error) {
    showError(String(error.message));
  }
});

connect();
