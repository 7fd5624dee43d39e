/**
 * The explorer's static server (scripts/serve-web.ts): serves only files under its root, bound to
 * 127.0.0.1, refuses path traversal in every spelling, and sends correct MIME types.
 * Requests are written raw over a socket so that no client normalizes `..` away first.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { createWebServer, listen, resolveRequest, HOST } from '../scripts/serve-web.ts';

const SECRET = 'TOP-SECRET-OUTSIDE-ROOT';
let base: string;
let root: string;
let server: Server;
let port: number;

before(async () => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'catapult-serve-')));
  root = join(base, 'site');
  mkdirSync(join(root, 'assets'), { recursive: true });
  mkdirSync(join(root, 'data'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>explorer</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'assets', 'style.css'), 'body{}');
  writeFileSync(join(root, 'data', 'subset.bin'), Buffer.from([1, 2, 3]));
  writeFileSync(join(root, 'data', 'meta.json'), '{}');
  writeFileSync(join(base, 'secret.txt'), SECRET);
  mkdirSync(join(base, 'site-evil'), { recursive: true });
  writeFileSync(join(base, 'site-evil', 'x.txt'), SECRET);
  symlinkSync(join(base, 'secret.txt'), join(root, 'link.txt'));
  server = createWebServer(root);
  port = await listen(server, 0);
});

after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(base, { recursive: true, force: true });
});

/** Send a raw HTTP/1.1 request line and return status, headers and body. */
function raw(target: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, HOST);
    let data = '';
    sock.setEncoding('latin1');
    sock.on('data', (d) => (data += d));
    sock.on('error', reject);
    sock.on('end', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      const lines = head!.split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status, headers, body: rest.join('\r\n\r\n') });
    });
    sock.write(`${method} ${target} HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`);
  });
}

test('binds to 127.0.0.1 only', () => {
  assert.equal((server.address() as AddressInfo).address, '127.0.0.1');
});

test('serves the built files with correct MIME types', async () => {
  const cases: [string, RegExp][] = [
    ['/', /^text\/html/],
    ['/index.html', /^text\/html/],
    ['/assets/app.js', /^text\/javascript/],
    ['/assets/style.css', /^text\/css/],
    ['/data/meta.json', /^application\/json/],
    ['/data/subset.bin', /^application\/octet-stream/],
    ['/index.html?x=1#frag', /^text\/html/],
  ];
  for (const [path, mime] of cases) {
    const r = await raw(path);
    assert.equal(r.status, 200, path);
    assert.match(r.headers['content-type'] ?? '', mime, path);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
  }
  const head = await raw('/assets/app.js', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
});

test('refuses every spelling of path traversal and never leaks files outside the root', async () => {
  const attacks = [
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/.%2e/secret.txt',
    '/%2e./secret.txt',
    '/..%2fsecret.txt',
    '/..%2Fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '/..\\secret.txt',
    '/%252e%252e/secret.txt',
    '/../site-evil/x.txt',
    '/%00/../secret.txt',
    '/index.html%00.js',
    '//etc/passwd',
    'http://127.0.0.1/../secret.txt',
    '*',
    '/link.txt',
    '/%',
  ];
  for (const a of attacks) {
    const r = await raw(a);
    assert.ok([400, 403, 404].includes(r.status), `${a} → ${r.status}`);
    assert.ok(!r.body.includes(SECRET), `${a} leaked the secret`);
  }
  // an absolute file-system path is just a path under the root
  const abs = await raw(join(base, 'secret.txt'));
  assert.equal(abs.status, 404);
  assert.ok(!abs.body.includes(SECRET));
  // /etc/passwd resolves under the root, where it does not exist
  assert.equal((await raw('/etc/passwd')).status, 404);
});

test('only GET and HEAD', async () => {
  for (const m of ['POST', 'PUT', 'DELETE']) {
    const r = await raw('/index.html', m);
    assert.equal(r.status, 405, m);
    assert.equal(r.headers.allow, 'GET, HEAD');
  }
});

test('resolveRequest: traversal is refused before touching the file system', () => {
  assert.deepEqual(resolveRequest(root, '/../secret.txt'), { ok: false, status: 403, reason: 'path traversal' });
  assert.deepEqual(resolveRequest(root, '/%2e%2e/secret.txt'), { ok: false, status: 403, reason: 'path traversal' });
  assert.equal(resolveRequest(root, '/..\\x').ok, false);
  assert.equal(resolveRequest(root, undefined).ok, false);
  const ok = resolveRequest(root, '/assets/app.js');
  assert.ok(ok.ok && ok.file === join(root, 'assets', 'app.js'));
});
