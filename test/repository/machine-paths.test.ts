// Nothing in the repository may depend on where one machine keeps things: a tracked
// file that names an absolute path of the machine it was written on (the folder the
// clone sits in, a home directory) works there and fails in every other clone.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');

/** One place a file names a machine's path. */
interface Hit {
  readonly line: number;
  readonly text: string;
}

/** Paths that belong to one machine: home directories anywhere, and this clone's surroundings. */
function machinePatterns(repo: string, home: string): RegExp[] {
  const patterns = [/\/(?:home|Users)\/[\w.-]+\//, /\/root\/[\w.-]/, /[A-Za-z]:\\{1,2}Users\\{1,2}/];
  const parent = path.dirname(repo);
  if (!['/', '/tmp', '/var/tmp'].includes(parent)) patterns.push(new RegExp(escapeRegExp(`${parent}/`)));
  if (home !== '/' && home !== '') patterns.push(new RegExp(escapeRegExp(`${home}/`)));
  return patterns;
}

/** The lines of `text` that name one of `patterns`. */
function findMachinePaths(text: string, patterns: readonly RegExp[]): Hit[] {
  return text
    .split('\n')
    .flatMap((line, i) => (patterns.some((p) => p.test(line)) ? [{ line: i + 1, text: line.trim().slice(0, 160) }] : []));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The repository's files: git's list in a clone, else every file outside .git, node_modules and build output. */
function repositoryFiles(repo: string): string[] {
  const git = spawnSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' });
  if (git.status === 0) return git.stdout.split('\0').filter((f) => f !== '');
  const walk = (dir: string): string[] =>
    readdirSync(path.join(repo, dir), { withFileTypes: true }).flatMap((entry) => {
      const relative = path.join(dir, entry.name);
      if (entry.isDirectory()) return ['.git', 'node_modules', 'dist'].includes(entry.name) ? [] : walk(relative);
      return entry.isFile() ? [relative] : [];
    });
  return walk('');
}

describe('the repository', () => {
  it('names no absolute path of the machine it was written on', () => {
    const patterns = machinePatterns(REPO, homedir());
    const hits: string[] = [];
    for (const file of repositoryFiles(REPO)) {
      const bytes = readFileSync(path.join(REPO, file));
      if (bytes.includes(0)) continue; // binary: images, compressed fixtures
      for (const hit of findMachinePaths(bytes.toString('utf8'), patterns)) hits.push(`${file}:${hit.line}: ${hit.text}`);
    }
    expect(hits).toEqual([]);
  });

  it('the check finds such paths (built here, so this file names none)', () => {
    const home = ['', 'home', 'alice'].join('/');
    const repo = [home, 'src', 'logtrace'].join('/');
    const patterns = machinePatterns(repo, home);
    const text = [
      "const FIXTURE = 'HOME/src/shared/fixtures/comfyui.log';",
      'see PARENT/notes.md',
      'a relative path: ../fixtures/comfyui.log',
      "path.posix.resolve('/folder', sub)",
      ['C:', 'Users', 'bob', 'logs'].join('\\'),
    ]
      .join('\n')
      .replace('HOME', home)
      .replace('PARENT', path.dirname(repo));
    expect(findMachinePaths(text, patterns).map((h) => h.line)).toEqual([1, 2, 5]);
    expect(findMachinePaths(['', 'root', '.cache', 'x'].join('/'), machinePatterns('/srv/logtrace', '/root'))).toHaveLength(1);
  });
});
