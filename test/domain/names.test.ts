import { describe, expect, it } from 'vitest';
import { baseName, uploadFileName } from '../../src/domain/names';

describe('an upload is named after its file', () => {
  it('keeps a backslash of a POSIX file name: it is an ordinary character on Linux', () => {
    expect(baseName('/srv/media/back\\slash.mp4')).toBe('back\\slash.mp4');
    expect(uploadFileName({ source: { path: '/srv/media/back\\slash.mp4' } })).toBe('back\\slash.mp4');
    expect(baseName('relative\\name.mp4')).toBe('relative\\name.mp4');
  });

  it('keeps a line break and other odd characters', () => {
    expect(baseName('/srv/media/line\nbreak "quoted".mp4')).toBe('line\nbreak "quoted".mp4');
  });

  it('splits a Windows path on either separator', () => {
    expect(baseName('C:\\media\\clip.mp4')).toBe('clip.mp4');
    expect(baseName('d:/media\\clip.mp4')).toBe('clip.mp4');
    expect(baseName('\\\\server\\share\\clip.mp4')).toBe('clip.mp4');
  });

  it('ignores trailing and doubled slashes', () => {
    expect(baseName('/srv//media/clip.mp4/')).toBe('clip.mp4');
  });
});
