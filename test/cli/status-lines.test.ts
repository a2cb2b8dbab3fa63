// Issue 17, items 3 and 7: what `status` and `watch` print about a call being retried and about
// the asset a failed or cancelled upload left.

import { describe, expect, it } from 'vitest';
import type { LiveProgress } from '../../src/client/types';
import { assetLeftLine } from '../../src/cli/commands/status';
import { progressLine } from '../../src/cli/progress-bar';

const base: LiveProgress = {
  workflowId: 'w',
  kind: 'upload',
  executionStatus: 'RUNNING',
  phase: 'uploading',
  title: 'clip.mp4',
  totalBytes: 100,
  percent: 40,
  confirmedBytes: 40,
  sentBytes: 40,
  inFlightBytes: 0,
  paused: false,
};

describe('status lines', () => {
  it('the progress line names the call being retried and its attempt', () => {
    const line = progressLine({ ...base, retrying: { activityType: 'reportBatch', attempt: 7, lastError: 'HTTP 500' } });
    expect(line).toContain('retrying reportBatch (attempt 7)');
    expect(progressLine(base)).not.toContain('retrying');
  });

  it('says whether the reserved asset was deleted or kept, and how to delete a kept one', () => {
    expect(assetLeftLine({ assetId: 'a1', action: 'deleted' })).toBe('asset a1: deleted (the upload cleaned up after itself)');
    const kept = assetLeftLine({ assetId: 'a2', action: 'kept', reason: 'keepAssetOnFailure was set' });
    expect(kept).toContain('kept (keepAssetOnFailure was set)');
    expect(kept).toContain('tl-upload assets delete a2');
  });
});
