// Forms an interrupt's option opens: asked for from the server, shown under the prompt,
// sent filled in. What is typed survives the page re-rendering (the element is kept).
import { api, showError } from './state.js';

/** Open forms by `${messageId}:${optionIndex}`: their elements, kept across renders. */
const open = new Map();
let changed = () => undefined;

/** What to do when a form opens or closes (re-render the thread). */
export function onFormsChange(handler) {
  changed = handler;
}

/** The open forms of a message, to show under its prompt; an answered prompt closes them. */
export function formsOf(message) {
  const keys = [...open.keys()].filter((key) => key.startsWith(`${message.id}:`));
  if (message.prompt?.answered) {
    for (const key of keys) open.delete(key);
    return [];
  }
  return keys.map((key) => open.get(key));
}

/** A click on an option that opens a form: the server says which form (or tells the person privately why not). */
export async function openForm(message, optionIndex, user) {
  const key = `${message.id}:${optionIndex}`;
  if (open.has(key)) return open.get(key).querySelector('input, textarea, select')?.focus();
  const target = { user, channel: message.channel, thread: message.thread ?? message.id, promptId: message.prompt.promptId, optionIndex };
  const opening = await api('POST', 'playground/api/forms/open', target);
  if (!opening.form) return;
  open.set(
    key,
    formElement(opening.form, target, () => open.delete(key)),
  );
  changed();
  open.get(key)?.querySelector('input, textarea, select')?.focus();
}

function formElement(form, target, close) {
  const element = document.createElement('form');
  element.className = 'prompt-form';
  element.dataset.testid = 'prompt-form';
  const title = document.createElement('b');
  title.textContent = form.title;
  element.append(title);
  const inputs = form.fields.map((field, index) => {
    const label = document.createElement('label');
    label.className = 'field';
    const caption = document.createElement('span');
    caption.textContent = field.label + (field.required === false ? ' (optional)' : '');
    let input;
    if (field.type === 'select') {
      input = document.createElement('select');
      const none = document.createElement('option');
      none.value = '';
      none.textContent = '—';
      input.append(none, ...field.options.map((choice) => Object.assign(document.createElement('option'), { value: choice.value, textContent: choice.label })));
    } else {
      input = document.createElement(field.type === 'textarea' ? 'textarea' : 'input');
      if (field.type === 'textarea') input.rows = 3;
    }
    input.name = `f${index}`;
    input.value = field.initial ?? '';
    const error = document.createElement('small');
    error.className = 'field-error';
    error.dataset.testid = 'field-error';
    error.hidden = true;
    label.append(caption, input, error);
    element.append(label);
    return { input, error };
  });
  const formError = document.createElement('small');
  formError.className = 'field-error';
  formError.dataset.testid = 'field-error';
  formError.hidden = true;
  const submit = Object.assign(document.createElement('button'), { type: 'submit', textContent: form.submitLabel, className: 'primary' });
  const cancel = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Cancel' });
  cancel.addEventListener('click', () => {
    close();
    changed();
  });
  const actions = document.createElement('div');
  actions.className = 'form-actions';
  actions.append(submit, cancel);
  element.append(formError, actions);
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    for (const { error } of [...inputs, { error: formError }]) error.hidden = true;
    try {
      const verdict = await api('POST', 'playground/api/forms', { ...target, values: inputs.map(({ input }) => input.value) });
      if (verdict.status === 'invalid') {
        // Shown beside each field; what was typed stays.
        for (const problem of verdict.errors) {
          const slot = inputs[problem.index]?.error ?? formError;
          slot.textContent = problem.index >= 0 ? problem.message : `${problem.label}: ${problem.message}`;
          slot.hidden = false;
        }
        return;
      }
      close();
      changed();
      showError('');
    } catch (error) {
      showError(String(error.message));
    } finally {
      submit.disabled = false;
    }
  });
  return element;
}
