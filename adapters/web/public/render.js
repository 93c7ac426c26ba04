// Rendering the open channel and thread from the page's state.
import { formsOf } from './forms.js';
import { renderMarkdown } from './markdown.js';
import { $, state } from './state.js';

/** What a click on a prompt's option does (set by the page). */
let optionClicked = (_message, _index, _button) => undefined;
export function onOptionClick(handler) {
  optionClicked = handler;
}

/** What a click on 👍/👎 under an answer does (set by the page). */
let feedbackClicked = (_message, _positive, _button) => undefined;
export function onFeedbackClick(handler) {
  feedbackClicked = handler;
}

const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

export function renderChannels() {
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
  if (message.files?.length) item.append(filesElement(message.files));
  if (message.prompt) item.append(promptElement(message));
  if (message.feedback) item.append(feedbackElement(message));
  return item;
}

/** Images the server shows inline (others, SVG included, are only downloaded). */
const PREVIEWED = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** A message's files: a download link each, and a preview for images. */
function filesElement(files) {
  const box = document.createElement('ul');
  box.className = 'files';
  for (const file of files) {
    const item = document.createElement('li');
    const url = `playground/api/files/${encodeURIComponent(file.id)}`;
    if (PREVIEWED.has(file.mimeType)) {
      const preview = document.createElement('img');
      preview.src = url;
      preview.alt = file.name;
      preview.dataset.testid = 'file-preview';
      item.append(preview);
    }
    const link = document.createElement('a');
    link.href = url;
    link.download = file.name;
    link.dataset.testid = 'file';
    link.textContent = `📎 ${file.name} (${formatSize(file.size)})`;
    item.append(link);
    box.append(item);
  }
  return box;
}

/** 👍/👎 under a final answer; the one this person chose (in this page) is shown pressed. */
function feedbackElement(message) {
  const box = document.createElement('div');
  box.className = 'feedback';
  box.dataset.testid = 'feedback';
  const chosen = state.votes.get(message.feedback.runId);
  for (const [positive, emoji, label] of [
    [true, '👍', 'Good answer'],
    [false, '👎', 'Bad answer'],
  ]) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = emoji;
    button.title = label;
    button.setAttribute('aria-label', label);
    button.setAttribute('aria-pressed', String(chosen === positive));
    button.dataset.testid = positive ? 'feedback-up' : 'feedback-down';
    button.addEventListener('click', () => void feedbackClicked(message, positive, button));
    box.append(button);
  }
  return box;
}

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${Number((bytes / 1024 / 1024).toFixed(1))} MiB`;
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
    // An option that opens a form says so, as chat apps do ("Edit…").
    if (option.form) button.dataset.opensForm = 'true';
    button.addEventListener('click', () => void optionClicked(message, index, button));
    box.append(button);
  });
  box.append(...formsOf(message));
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

export function renderChannel() {
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
    footer.textContent = state.busy.has(root.id)
      ? `${replies} ${replies === 1 ? 'reply' : 'replies'} · working…`
      : replies
        ? `${replies} ${replies === 1 ? 'reply' : 'replies'}`
        : 'open thread';
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

export function renderThread() {
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
