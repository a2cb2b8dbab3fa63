// The workflow bundle the worker loads: written in Latin-1 only, so V8 keeps each of its copies
// at one byte per character, and still meaning the same.

import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { latin1Only } from '../../src/worker';

describe('workflow bundle text', () => {
  it('escapes the characters above U+00FF, and the code means the same', () => {
    const code = [
      '/** [1,2,3,7] → [[1,3],[7,7]] — (i−1)·size */',
      'const phase = "uploading";',
      'const heading = `**keynote.mp4** — ${phase} → done`;',
      "const quoted = 'naïve – ok';",
      '({ heading, quoted })',
    ].join('\n');
    const escaped = latin1Only(code);
    expect(escaped).toMatch(/^[\u0000-\u00ff]*$/);
    expect(escaped).toContain('naïve'); // Latin-1 stays as it is
    expect(runInNewContext(escaped)).toEqual(runInNewContext(code));
  });
});
