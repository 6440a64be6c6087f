// What every CLI command is: a name, its help, its options, and what it runs.
import type { ParseArgsConfig } from 'node:util';
import type { Services } from '../services';
import type { CliIo } from './output';

export interface CliOptions {
  version: string;
  rendererDir: string;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); the serve command waits on it. */
  stopSignal?: () => Promise<string>;
}

export interface Context {
  io: CliIo;
  options: CliOptions;
  json: boolean;
  services(): Services;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  details?: string;
  options?: ParseArgsConfig['options'];
  positionals?: { min: number; max: number };
  /** Opens its own database connection (office set-up, the sender service): no services are opened for it. */
  ownConnection?: boolean;
  run(ctx: Context, values: Record<string, unknown>, positionals: string[]): Promise<number>;
}
