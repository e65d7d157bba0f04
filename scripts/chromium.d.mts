// Types for scripts/chromium.mjs (imported from vite.config.ts and TypeScript benchmarks).
import type { Browser, LaunchOptions } from 'playwright-core';

export declare const CHROMIUM_CANDIDATES: string[];
export declare const CHROMIUM_ARGS: string[];
export declare const INSTALL_HINT: string;
export declare function chromiumArgs(extra?: string[]): string[];
export declare function findChromium(): string;
export declare function chromiumLaunchOptions(opts?: LaunchOptions): LaunchOptions & { executablePath: string; args: string[] };
export declare function launchChromium(opts?: LaunchOptions): Promise<Browser>;
