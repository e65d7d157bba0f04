// The sft stage's commands and events between the UI and the engine worker, merged into protocol.ts's
// CommandMap and EngineEvent (see there for the conventions: one response per request id, events for progress).

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SftCommands {}

export type SftEvent = never;
