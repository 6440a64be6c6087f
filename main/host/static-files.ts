// Maps a request path to a file of the built renderer, refusing anything outside it. Shared by the
// browser-mode server and the Electron app:// protocol.
import path from 'node:path';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // Fluent UI writes its styles at run time into <style> elements.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** The file to serve for a URL path, or null when the path escapes the renderer folder or cannot be decoded. */
export function rendererFile(rendererDir: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const root = path.resolve(rendererDir);
  const wanted = decoded === '/' || decoded === '' ? '/index.html' : decoded;
  const file = path.resolve(root, '.' + path.posix.normalize('/' + wanted.replace(/\\/g, '/')));
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  // Client-side routes (no extension) get the app itself.
  return path.extname(file) === '' ? path.join(root, 'index.html') : file;
}

export function contentType(file: string): string {
  return CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
}
