// The playground's stages, in the order of the tabs.
export const STAGES = ['pretrain', 'sft', 'rlhf', 'compare'] as const;
export type Stage = (typeof STAGES)[number];

export function isStage(x: string): x is Stage {
  return (STAGES as readonly string[]).includes(x);
}

/** The stage named by the URL's #fragment (e.g. #sft), else pretraining. */
export function stageFromHash(hash: string): Stage {
  const s = hash.replace(/^#/, '');
  return isStage(s) ? s : 'pretrain';
}
