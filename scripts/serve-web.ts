/**
 * A tiny static file server for the built explorer (dist/web), bound to 127.0.0.1 only.
 * Serves files under its root and nothing else: requests whose decoded path leaves the root
 * (`..` segments, encoded `%2e%2e` / `%2f` / `%5c`, backslashes, NUL bytes, absolute-form or
 * non-slash targets) are refused with 400/403; symlinks out of the root are refused too.
 * Only GET and HEAD. Correct MIME types; `nosniff`.
 *
 * Run: node --import tsx scripts/serve-web.ts [--port N] [--root DIR]   (npm run explore builds first)
 */
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOST = '127.0.0.1';
export const DEFAULT_PORT = 5178;

export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.bin': 'application/octet-stream',
};

export type Resolution = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Map a request target to a file under `root` (an absolute, real path), or say why not.
 * Pure apart from the file-system look-ups (stat, realpath).
 */
export function resolveRequest(root: string, target: string | undefined): Resolution {
  if (!target || !target.startsWith('/') || target.startsWith('//')) return { ok: false, status: 400, reason: 'bad request target' };
  const rawPath = target.split(/[?#]/, 1)[0]!;
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400, reason: 'bad percent-encoding' };
  }
  if (path.includes('\0') || path.includes('\\')) return { ok: false, status: 400, reason: 'bad characters in path' };
  const segments = path.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 403, reason: 'path traversal' };
  let file = resolve(root, '.' + path);
  if (file !== root && !file.startsWith(root + sep)) return { ok: false, status: 403, reason: 'outside the root' };
  let st;
  try {
    st = statSync(file);
    if (st.isDirectory()) {
      file = join(file, 'index.html');
      st = statSync(file);
    }
  } catch {
    return { ok: false, status: 404, reason: 'not found' };
  }
  if (!st.isFile()) return { ok: false, status: 404, reason: 'not found' };
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return { ok: false, status: 404, reason: 'not found' };
  }
  if (!real.startsWith(root + sep)) return { ok: false, status: 403, reason: 'outside the root' };
  return { ok: true, file: real };
}

function refuse(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function createWebServer(rootDir: string, opts: { log?: (line: string) => void } = {}): Server {
  const root = realpathSync(resolve(rootDir));
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      refuse(res, 405, 'method not allowed\n');
      return;
    }
    const r = resolveRequest(root, req.url);
    if (!r.ok) {
      opts.log?.(`${r.status} ${method} ${req.url} (${r.reason})`);
      refuse(res, r.status, `${r.status === 404 ? 'not found' : r.status === 403 ? 'forbidden' : 'bad request'}\n`);
      return;
    }
    const size = statSync(r.file).size;
    res.writeHead(200, {
      'Content-Type': MIME[extname(r.file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': size,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(r.file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
}

/** Listen on 127.0.0.1:port (0 = any free port); resolves to the bound port. */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const here = dirname(fileURLToPath(import.meta.url));
  const root = resolve(arg('--root') ?? join(here, '..', 'dist', 'web'));
  try {
    if (!statSync(join(root, 'index.html')).isFile()) throw new Error();
  } catch {
    console.error(`serve-web: ${root}/index.html not found; run npm run build:web first`);
    process.exit(1);
  }
  const wanted = Number(arg('--port') ?? process.env.PORT ?? DEFAULT_PORT);
  const server = createWebServer(root, { log: (l) => console.log(l) });
  let port = -1;
  for (let p = wanted; port < 0 && p < wanted + 20; p++) {
    try {
      port = await listen(server, p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || wanted === 0) throw err;
    }
  }
  if (port < 0) throw new Error(`no free port in ${wanted}–${wanted + 19}`);
  console.log(`catapult-lab explorer: http://${HOST}:${port}/  (serving ${root}; Ctrl+C to stop)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    console.error(`serve-web: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
