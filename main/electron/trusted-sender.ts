// Decides whether an IPC message comes from our own window's own top frame, showing our own page.
export const APP_SCHEME = 'app';
export const APP_HOST = 'mailroom';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

export interface SenderFrame {
  url: string;
  /** Whether this is the top frame of its page (an iframe's messages are never trusted). */
  isMainFrame: boolean;
}

export function isTrustedSender(frame: SenderFrame | null | undefined, senderId: number, trustedIds: ReadonlySet<number>): boolean {
  if (!frame || !frame.isMainFrame || !trustedIds.has(senderId)) return false;
  try {
    const url = new URL(frame.url);
    return `${url.protocol}//${url.host}` === APP_ORIGIN;
  } catch {
    return false;
  }
}
