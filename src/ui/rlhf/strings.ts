// The RLHF stage's UI strings, merged into src/ui/i18n.ts. Every key exists in both languages (the
// compiler checks it); keys start with 'rlhf.'. Plain text only, never HTML; {name} placeholders.

export const en = {
} as const;

export const zh: Record<keyof typeof en, string> = {
};
