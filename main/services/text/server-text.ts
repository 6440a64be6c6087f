// What a mail server sends is untrusted bytes: a reply can carry terminal escapes, bidi overrides or
// megabytes of text. Everything a server said goes through here before it reaches a log or the dialog.

// C0 controls, DEL and C1 controls (ESC, CSI and friends); CR and LF are handled as line breaks.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
// Characters that reorder or hide the text around them on screen.
const INVISIBLE = /[\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const LINE_BREAK = /\r\n|\r|\n/;

function escapeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (CONTROL.test(ch)) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (INVISIBLE.test(ch)) return `\\u${code.toString(16).padStart(4, '0')}`;
  // A lone surrogate cannot be shown; anything else is ordinary text.
  if (code >= 0xd800 && code <= 0xdfff) return `\\u${code.toString(16)}`;
  return ch;
}

/**
 * Server text made safe to show and log: control characters (including ESC and C1) appear as \xNN,
 * the lines of a multi-line reply are joined with " | ", and the result is at most `max` characters,
 * ending with "…" when it was cut.
 */
export function escapeServerText(raw: string, max = 600): string {
  const safeMax = Math.max(1, Math.floor(max));
  // Escaping only lengthens text, so a reply of megabytes need not be walked to its end.
  const cut = raw.length > safeMax * 4 + 8;
  const lines = (cut ? raw.slice(0, safeMax * 4 + 8) : raw).split(LINE_BREAK);
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const pieces: string[] = [];
  lines.forEach((line, index) => {
    if (index > 0) pieces.push(' | ');
    // for…of walks code points, so an emoji is kept whole and a lone surrogate is caught.
    for (const ch of line) pieces.push(escapeChar(ch));
  });

  const whole = pieces.join('');
  if (!cut && whole.length <= safeMax) return whole;
  let out = '';
  for (const piece of pieces) {
    // Never cut inside an escape sequence or a character: stop before the piece that does not fit.
    if (out.length + piece.length > safeMax - 1) break;
    out += piece;
  }
  return `${out.replace(/ \| $/, '')}…`;
}
