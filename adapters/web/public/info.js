// The pane that says what runs the open thread: assistant, thread, status, last run, strategy.
import { $, api, state } from './state.js';

let infoTimer;
export function refreshInfoSoon() {
  clearTimeout(infoTimer);
  infoTimer = setTimeout(() => void refreshInfo(), 120);
}

export async function refreshInfo() {
  if (!state.thread) return;
  const thread = state.thread;
  let info;
  try {
    info = await api('GET', `playground/api/channels/${encodeURIComponent(state.channel)}/threads/${encodeURIComponent(thread)}`);
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
      // Relative to the page, which is served where the API is (under http.mount_prefix, when set).
      link.href = href.replace(/^\//, '');
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = label;
      link.dataset.testid = `link-${label}`;
      detail.append(link, ' ');
    }
    dl.append(term, detail);
  }
}
