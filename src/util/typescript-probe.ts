// Imported once by importModule to learn whether a TypeScript loader (tsx, vitest) is active.
export const loaded = true;
