// CI runs the package and smoke tests on each Node LTS line people run, beside the Node that runs
// the whole suite (package.json engines). The lines come from one list (scripts/ensure-node.mjs),
// which .ci/run loops over; the Docker image's Node must be one of them.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');

describe('the Node versions CI runs', () => {
  const lines = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/ensure-node.mjs'), '--list'], { encoding: 'utf8' }).trim().split('\n').map(Number);

  it('covers Node 22 and 24, and the Docker image runs one of them', () => {
    expect(lines).toEqual(expect.arrayContaining([22, 24]));
    const imageMajor = Number(/^ARG NODE_IMAGE=node:(\d+)-/m.exec(read('Dockerfile'))![1]);
    expect(lines).toContain(imageMajor);
    // The suite itself runs on the oldest Node the package supports.
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(Number(/>=(\d+)/.exec(engines)![1])).toBeLessThan(Math.min(...lines));
  });

  it('has .ci/run run the package and smoke tests on every line from that list', () => {
    const ci = read('.ci/run');
    const loop = /for major in \$\(node scripts\/ensure-node\.mjs --list\); do\n([\s\S]*?)\ndone/.exec(ci);
    expect(loop, '.ci/run loops over scripts/ensure-node.mjs --list').not.toBeNull();
    expect(loop![1]).toContain('node_bin=$(node scripts/ensure-node.mjs "$major")');
    expect(loop![1]).toMatch(/PATH="\$\(dirname "\$node_bin"\):\$PATH" npx vitest run test\/package test\/temporal\/smoke\.test\.ts/);
  });
});
