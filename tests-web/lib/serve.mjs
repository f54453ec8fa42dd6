// A tiny static HTTP server for browser tests: serves a root directory, extra directories mounted under URL
// prefixes, and in-memory files (generated pages, PCKs, modules). Binds 127.0.0.1 on a random port.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

/** MIME types by extension. `application/wasm` matters: WebAssembly.instantiateStreaming refuses anything else. */
export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.wat': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.pck': 'application/octet-stream',
  '.bin': 'application/octet-stream',
};

/** Cache-Control for files that never change while a server runs (lets Chromium keep compiled wasm). */
export const IMMUTABLE = Object.freeze({ 'Cache-Control': 'public, max-age=31536000, immutable' });

export function mimeType(filePath) {
  return MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Start a static server. Everything is sent with `Cache-Control: no-store` unless a file entry says otherwise.
 *
 * @param {object} [options]
 * @param {string} [options.root] directory served at `/`
 * @param {Record<string, string>} [options.mounts] URL prefix (e.g. `/pkg/`) -> directory
 * @param {Record<string, string | Uint8Array | { file: string, headers?: Record<string, string> }>} [options.files]
 *   exact URL path -> contents, or `{ file, headers }` to serve one file from disk under that path with extra
 *   headers (e.g. IMMUTABLE). Checked before mounts and root.
 * @param {boolean} [options.crossOriginIsolated] send COOP/COEP headers (enables SharedArrayBuffer)
 * @param {Record<string, string>} [options.headers] extra headers on every response
 * @param {boolean} [options.unref] let node exit while the server still listens (for a server shared by a file)
 * @returns {Promise<{ url: string, port: number, requests: string[],
 *   setFile(urlPath: string, body: string | Uint8Array | { file: string, headers?: object }): void,
 *   deleteFile(urlPath: string): void, mount(prefix: string, dir: string): void, unmount(prefix: string): void,
 *   close(): Promise<void> }>}
 *   `url` has no trailing slash (e.g. `http://127.0.0.1:41234`); `requests` lists every path asked for.
 */
export async function serveStatic(options = {}) {
  const files = new Map(Object.entries(options.files ?? {}));
  let mounts = [];
  const setMounts = (entries) => {
    mounts = entries
      .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : `${prefix}/`, path.resolve(dir)])
      // Longest prefix first so `/a/b/` wins over `/a/` (and over the root, `/`).
      .sort((a, b) => b[0].length - a[0].length);
  };
  setMounts([...Object.entries(options.mounts ?? {}), ...(options.root ? [['/', options.root]] : [])]);

  const baseHeaders = { 'Cache-Control': 'no-store', ...(options.headers ?? {}) };
  if (options.crossOriginIsolated) {
    baseHeaders['Cross-Origin-Opener-Policy'] = 'same-origin';
    baseHeaders['Cross-Origin-Embedder-Policy'] = 'require-corp';
    baseHeaders['Cross-Origin-Resource-Policy'] = 'same-origin';
  }
  const requests = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err?.message ?? err));
    });
  });

  async function handle(req, res) {
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return send(res, 400, 'bad url');
    }
    requests.push(urlPath);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    if (urlPath.endsWith('/')) urlPath += 'index.html';

    const entry = files.get(urlPath);
    if (entry !== undefined) {
      if (typeof entry === 'string' || entry instanceof Uint8Array) {
        const body =
          typeof entry === 'string'
            ? Buffer.from(entry)
            : Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength);
        res.writeHead(200, {
          ...baseHeaders,
          'Content-Type': mimeType(urlPath),
          'Content-Length': body.length,
        });
        return res.end(req.method === 'HEAD' ? undefined : body);
      }
      return sendFile(req, res, entry.file, urlPath, entry.headers);
    }

    for (const [prefix, dir] of mounts) {
      if (!urlPath.startsWith(prefix)) continue;
      const filePath = path.resolve(dir, `.${urlPath.slice(prefix.length - 1)}`);
      // Never serve outside the mounted directory (`..` or encoded slashes in the URL).
      if (filePath !== dir && !filePath.startsWith(dir + path.sep)) return send(res, 403, 'forbidden');
      return sendFile(req, res, filePath, urlPath);
    }
    return send(res, 404, 'not found');
  }

  async function sendFile(req, res, filePath, urlPath, extraHeaders) {
    let info;
    try {
      info = await stat(filePath);
    } catch {
      return send(res, 404, 'not found');
    }
    if (!info.isFile()) return send(res, 404, 'not found');
    res.writeHead(200, {
      ...baseHeaders,
      'Content-Type': mimeType(urlPath),
      'Content-Length': info.size,
      ...(extraHeaders ?? {}),
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(filePath).pipe(res);
  }

  function send(res, status, text) {
    res.writeHead(status, { ...baseHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(text);
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  if (options.unref) server.unref();
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setFile(urlPath, body) {
      files.set(urlPath, body);
    },
    deleteFile(urlPath) {
      files.delete(urlPath);
    },
    mount(prefix, dir) {
      setMounts([
        ...mounts.filter(([p]) => p !== (prefix.endsWith('/') ? prefix : `${prefix}/`)),
        [prefix, dir],
      ]);
    },
    unmount(prefix) {
      const p = prefix.endsWith('/') ? prefix : `${prefix}/`;
      setMounts(mounts.filter(([q]) => q !== p));
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
