/** The playground's one workspace, and the bot's name in it (no person may take it). */
export const WORKSPACE = 'local';
export const BOT_NAME = 'switchboard';
