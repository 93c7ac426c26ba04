/** Types of markdown.js (plain JavaScript, served to the browser as it is). */
export declare function renderMarkdown(markdown: string): string;
