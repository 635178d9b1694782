// The docs as a newcomer meets them: a short README, links that lead somewhere, nothing that
// points outside the repository, no tracker numbers (docs/contract.md, STYLE: "Everything a file
// refers to is in the repository").
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const README_MAX_LINES = 250;

/**
 * Files a doc may link to before they exist here: each is written on a branch of its own and
 * checked like any other once it lands. Keep this empty otherwise.
 */
const ARRIVING = new Set<string>([]);

/** The Markdown a reader is sent through: the README, every page under docs/, the workspace READMEs. */
function markdownFiles(): string[] {
  const docs = readdirSync(path.join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  const workspaces = ['loadtest/README.md', 'ssr/README.md', 'tools/bench/README.md'].filter((file) =>
    existsSync(path.join(root, file)),
  );
  return ['README.md', ...docs, ...workspaces];
}

/** Every file of the repository that is not ignored: tracked ones and new ones alike. */
function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return out
    .split('\0')
    .filter((file) => file !== '' && existsSync(path.join(root, file)) && statSync(path.join(root, file)).isFile());
}

/** The text outside fenced code blocks and inline code, where Markdown links live. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/``[^`\n]+``|`[^`\n]+`/g, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors a Markdown file offers: one per heading, repeats numbered as GitHub numbers them. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const match of withoutFences.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const base = slug(match[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

/** `[text](target)` and `![alt](target)` links, with their line numbers. */
function links(markdown: string): { target: string; line: number }[] {
  const text = prose(markdown);
  const out: { target: string; line: number }[] = [];
  for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    out.push({ target: match[1]!, line: text.slice(0, match.index).split('\n').length });
  }
  return out;
}

const external = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target);

test(`the README is the front door: at most ${README_MAX_LINES} lines`, () => {
  const lines = readFileSync(path.join(root, 'README.md'), 'utf8').trimEnd().split('\n').length;
  assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines; move detail to docs/`);
});

test('every relative link in the docs names a file of the repository, and a heading it has', () => {
  const broken: string[] = [];
  for (const file of markdownFiles()) {
    const markdown = readFileSync(path.join(root, file), 'utf8');
    for (const { target, line } of links(markdown)) {
      if (external(target)) continue;
      const [pathPart = '', anchor] = target.split('#', 2) as [string, string | undefined];
      const resolved =
        pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart));
      const where = `${file}:${line} -> ${target}`;
      if (resolved.startsWith('..') || path.posix.isAbsolute(resolved)) {
        broken.push(`${where}: outside the repository`);
        continue;
      }
      if (!existsSync(path.join(root, resolved))) {
        if (!ARRIVING.has(resolved)) broken.push(`${where}: no such file`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith('.md')) {
        const offered = anchors(readFileSync(path.join(root, resolved), 'utf8'));
        if (!offered.has(decodeURIComponent(anchor))) broken.push(`${where}: no heading with that anchor`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test('the Markdown checks themselves: anchors as GitHub makes them, links outside code only', () => {
  assert.equal(slug('In a browser: `npm run browserbench`'), 'in-a-browser-npm-run-browserbench');
  assert.equal(slug('Creates happen once: `Idempotency-Key`'), 'creates-happen-once-idempotency-key');
  assert.deepEqual([...anchors('# A\n## B b\n```\n# not\n```\n## B b\n')], ['a', 'b-b', 'b-b-1']);
  assert.deepEqual(
    links('see [a](a.md#x) and `[b](b.md)`\n```\n[c](c.md)\n```\n![d](d.svg)').map((link) => link.target),
    ['a.md#x', 'd.svg'],
  );
});

test('every npm script is in the README command table', () => {
  const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const missing = Object.keys(scripts).filter((name) => {
    const spelled = name === 'start' || name === 'test' ? [`npm ${name}`, `npm run ${name}`] : [`npm run ${name}`];
    return !spelled.some((command) => new RegExp(`${command.replace(/[:.]/g, '\\$&')}(?![\\w:-])`).test(readme));
  });
  assert.deepEqual(missing, [], 'scripts in package.json the README does not name');
});

/** Text files a reader or a tool opens; generated and binary files are someone else's words. */
function textFiles(): string[] {
  return repositoryFiles().filter(
    (file) =>
      !file.includes('/generated/') &&
      !/\.(svg|png|jpe?g|gif|ico|woff2?|lock)$/.test(file) &&
      file !== 'package-lock.json',
  );
}

test('nothing refers to a path outside the repository', () => {
  const outside = /\.\.\/shared\b|\bCONTRACT\.md\b|\/work\/(?:shared|main)\b/;
  const found: string[] = [];
  for (const file of textFiles()) {
    readFileSync(path.join(root, file), 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (outside.test(line)) found.push(`${file}:${index + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(found, [], 'the public contract is docs/contract.md');
});

test('no file names a tracker issue: say the thing itself', () => {
  // a link to an upstream project's issue is a reference, not a tracker number of ours
  const upstream = /https?:\/\/\S+\/issues\/\d+/g;
  const tracker = /\bissues? ?#?\d+/i;
  const self = path.relative(root, fileURLToPath(import.meta.url));
  const found: string[] = [];
  for (const file of textFiles()) {
    if (file === self) continue;
    readFileSync(path.join(root, file), 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (tracker.test(line.replace(upstream, ''))) found.push(`${file}:${index + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(found, []);
});
