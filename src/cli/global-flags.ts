// Flags every command takes, wherever they stand on the line: the connection (named as the
// Temporal CLI names them) and how output looks. A connection flag overrides its environment
// variable, and the rest of the configuration (profile, TOML file) still comes through
// @temporalio/envconfig, so the flags and the environment can never disagree about precedence.

import { CliUsageError } from './exit-codes';

/** Connection flag → the environment variable it overrides. */
export const CONNECTION_FLAGS = {
  address: 'TEMPORAL_ADDRESS',
  namespace: 'TEMPORAL_NAMESPACE',
  'api-key': 'TEMPORAL_API_KEY',
  profile: 'TEMPORAL_PROFILE',
  'config-file': 'TEMPORAL_CONFIG_FILE',
  'tls-cert-path': 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'tls-key-path': 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'tls-ca-path': 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'tls-server-name': 'TEMPORAL_TLS_SERVER_NAME',
  'task-queue': 'TL_TASK_QUEUE',
  'ui-url': 'TEMPORAL_UI_URL',
} as const;

/** Boolean connection flags; `--tls=false` turns TLS off where a profile or API key would turn it on. */
const CONNECTION_SWITCHES = {
  tls: 'TEMPORAL_TLS',
  'tls-disable-host-verification': 'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION',
} as const;

/** Every flag this module takes, for "did you mean" when a command meets one it does not know. */
export const GLOBAL_FLAG_NAMES: readonly string[] = [
  ...Object.keys(CONNECTION_FLAGS),
  ...Object.keys(CONNECTION_SWITCHES),
  'progress',
  'no-progress',
  'version',
];

export type ProgressMode = 'auto' | 'on' | 'off';

export interface GlobalFlags {
  /** The environment with every connection flag applied over it. */
  env: NodeJS.ProcessEnv;
  /** `--progress` forces the bar (also when stderr is not a terminal), `--no-progress` hides it. */
  progress: ProgressMode;
  version: boolean;
  /** What is left for the command. */
  rest: string[];
}

export function extractGlobalFlags(argv: readonly string[], env: NodeJS.ProcessEnv): GlobalFlags {
  const out: NodeJS.ProcessEnv = { ...env };
  const rest: string[] = [];
  let progress: ProgressMode = 'auto';
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = match?.[1];
    const inline = match?.[2];
    if (name === undefined) {
      rest.push(arg);
    } else if (name in CONNECTION_FLAGS) {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new CliUsageError(`--${name} takes a value`);
      if (value.trim() === '') throw new CliUsageError(`--${name} must not be empty`);
      out[CONNECTION_FLAGS[name as keyof typeof CONNECTION_FLAGS]] = value;
    } else if (name in CONNECTION_SWITCHES) {
      out[CONNECTION_SWITCHES[name as keyof typeof CONNECTION_SWITCHES]] = String(switchValue(name, inline));
    } else if (name === 'progress' || name === 'no-progress') {
      if (inline !== undefined) throw new CliUsageError(`--${name} takes no value`);
      progress = name === 'progress' ? 'on' : 'off';
    } else if (name === 'version') {
      version = true;
    } else {
      rest.push(arg);
    }
  }
  return { env: out, progress, version, rest };
}

function switchValue(name: string, inline: string | undefined): boolean {
  if (inline === undefined || inline === 'true') return true;
  if (inline === 'false') return false;
  throw new CliUsageError(`--${name} is on or off: --${name} or --${name}=false, got --${name}=${inline}`);
}
