import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import { Annotation, END, MessagesAnnotation, START, StateGraph, interrupt } from '@langchain/langgraph';

/**
 * Asks a human before acting. The interrupt value is a prompt that chat adapters render
 * as buttons: a question, options (label, value, style) and whether a free-text answer
 * is accepted. The answer resumes the run: "approve", "reject", or { action: "edit",
 * text } from the Edit form (a free-text answer counts as an edit too).
 */
const ApprovalState = Annotation.Root({
  ...MessagesAnnotation.spec,
  proposal: Annotation<string>(),
  decision: Annotation<string>(),
});

export interface ApprovalPrompt {
  question: string;
  /** An option with `fields` opens a form; its answer is `{ action: value, ...fields }`. */
  options: Array<{ label: string; value: string; style?: 'primary' | 'danger'; fields?: Array<{ name: string; label: string; type: 'textarea'; initial: string }> }>;
  allow_free_text: boolean;
  proposal: string;
}

function lastHumanText(messages: BaseMessage[]): string {
  const human = [...messages].reverse().find((message) => message.getType() === 'human');
  return typeof human?.content === 'string' ? human.content : 'the requested action';
}

function propose(state: typeof ApprovalState.State) {
  return { proposal: `Send this to the team: "${lastHumanText(state.messages)}"` };
}

function review(state: typeof ApprovalState.State) {
  const prompt: ApprovalPrompt = {
    question: `Approve this action? ${state.proposal}`,
    options: [
      { label: 'Approve', value: 'approve', style: 'primary' },
      { label: 'Reject', value: 'reject', style: 'danger' },
      // Edit opens a form with the text to send, ready to change (a typed reply in the thread edits too).
      { label: 'Edit', value: 'edit', fields: [{ name: 'text', label: 'What to send', type: 'textarea', initial: lastHumanText(state.messages) }] },
    ],
    allow_free_text: true,
    proposal: state.proposal,
  };
  const answer = interrupt<ApprovalPrompt, unknown>(prompt);
  if (answer === 'approve' || answer === 'reject') return { decision: answer };
  if (answer !== null && typeof answer === 'object' && 'text' in answer && typeof answer.text === 'string') {
    return { decision: 'edit', proposal: `Send this to the team: "${answer.text}"` };
  }
  if (typeof answer === 'string' && answer !== 'edit') return { decision: 'edit', proposal: `Send this to the team: "${answer}"` };
  return { decision: 'reject' };
}

function act(state: typeof ApprovalState.State) {
  const text =
    state.decision === 'reject'
      ? 'Rejected: nothing was sent.'
      : `${state.decision === 'edit' ? 'Edited and approved' : 'Approved'}. ${state.proposal.replace('Send this', 'Sent this')}`;
  return { messages: [new AIMessage(text)] };
}

export const graph = new StateGraph(ApprovalState)
  .addNode('propose', propose)
  .addNode('review', review)
  .addNode('act', act)
  .addEdge(START, 'propose')
  .addEdge('propose', 'review')
  .addEdge('review', 'act')
  .addEdge('act', END)
  .compile();
