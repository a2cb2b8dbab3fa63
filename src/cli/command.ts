// The shape of a tl-upload command: its arguments, where it writes, and a way to connect (made
// lazily, so `--help` and usage errors never need Temporal).

import type { UploadClient } from '../client';
import type { CliIo } from './io';

export type Connect = () => Promise<UploadClient>;

export type Command = (argv: string[], io: CliIo, connect: Connect) => Promise<number>;
