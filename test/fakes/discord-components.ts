/**
 * Message components as Discord checks them (the fields Switchboard sends): at most 5 action
 * rows (type 1) of 1 to 5 buttons (type 2); a button has a style 1 to 5, a label of at most 80
 * characters or an emoji (or both), and, unless it is a link (style 5), a custom_id of 1 to
 * 100 characters unique in the message. Refused as Discord refuses: 400, code 50035.
 */
export function componentProblems(components: unknown): string[] {
  if (components === undefined) return [];
  if (!Array.isArray(components)) return ['components: must be an array'];
  const problems: string[] = [];
  if (components.length > 5) problems.push('components: at most 5 action rows');
  const ids = new Set<string>();
  for (const [rowIndex, row] of components.entries()) {
    const buttons = (row as { type?: number; components?: unknown[] }).components;
    if ((row as { type?: number }).type !== 1 || !Array.isArray(buttons) || buttons.length === 0 || buttons.length > 5) {
      problems.push(`components[${rowIndex}]: an action row of 1 to 5 components`);
      continue;
    }
    for (const [index, button] of buttons.entries()) {
      const at = `components[${rowIndex}].components[${index}]`;
      const { type, style, label, emoji, custom_id: customId } = button as { type?: number; style?: number; label?: unknown; emoji?: { name?: unknown }; custom_id?: unknown };
      if (type !== 2) {
        problems.push(`${at}.type: only buttons are sent`);
        continue;
      }
      if (typeof style !== 'number' || style < 1 || style > 5) problems.push(`${at}.style: 1 to 5`);
      if (label === undefined && typeof emoji?.name !== 'string') problems.push(`${at}: a label or an emoji`);
      if (label !== undefined && (typeof label !== 'string' || label.length > 80)) problems.push(`${at}.label: at most 80 characters`);
      if (style !== 5) {
        if (typeof customId !== 'string' || customId.length === 0 || customId.length > 100) problems.push(`${at}.custom_id: 1 to 100 characters`);
        else if (ids.has(customId)) problems.push(`${at}.custom_id: must be unique in the message`);
        else ids.add(customId);
      }
    }
  }
  return problems;
}

/** Discord's answer to components that break a rule, or undefined. */
export function invalidComponents(components: unknown): [number, unknown] | undefined {
  const problems = componentProblems(components);
  return problems.length > 0
    ? [400, { message: 'Invalid Form Body', code: 50035, errors: { components: { _errors: problems.map((message) => ({ code: 'COMPONENT_INVALID', message })) } } }]
    : undefined;
}
