// Ids are 24 lowercase hex characters, like the ObjectIds in every documentation example (9.20).

import { randomBytes } from 'node:crypto';

export function newObjectId(): string {
  return randomBytes(12).toString('hex');
}
