import { describe, expect, it } from 'vitest';
import { ConversationMasker, HIDDEN, MAX_LINE_CHARS, SecretRedactor, base64Core, maskFor, secretForms, type MaskedLine } from '../../../main/services/debug-log/mask';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const USER = 'alice@example.test';
const PASSWORDS = [
  'correct horse battery staple',
  // Characters that change when URL-encoded, JSON-escaped or base64-encoded (+ / = in the output).
  'p@ss w0rd+/=%&?#é€"\\\'<>~*',
  'hunter2',
  '***',
  '[hidden]',
  'ÄÖÜ-ß-日本語-🔑',
  'tab\there',
  'ab',
];

/** Whether base64-decoding any run of base64 characters in `text`, from any starting character, yields the secret. */
function recoverableFromBase64(text: string, secret: string): boolean {
  const wanted = Buffer.from(secret, 'utf8');
  for (const run of text.match(/[A-Za-z0-9+/]+={0,2}/g) ?? []) {
    for (let start = 0; start < 4; start += 1) {
      const piece = run.slice(start).replace(/=+$/, '');
      if (piece && Buffer.from(piece, 'base64').includes(wanted)) return true;
    }
  }
  return false;
}

/** Every way the secret could be read back from `text`. */
function leaks(text: string, secret: string): string[] {
  const found: string[] = [];
  if (text.includes(secret)) found.push('plain');
  if (text.includes(b64(secret))) found.push('base64');
  if (text.includes(b64(`\0${USER}\0${secret}`))) found.push('AUTH PLAIN blob');
  if (text.includes(encodeURIComponent(secret))) found.push('URL-encoded');
  if (text.includes(JSON.stringify(secret).slice(1, -1))) found.push('JSON');
  if (recoverableFromBase64(text, secret)) found.push('base64 (any alignment)');
  return found;
}

function texts(lines: MaskedLine[]): string[] {
  return lines.map((l) => l.text);
}

/** The masker's lines, each with the final whole-line pass the debug log runs. */
function run(masker: ConversationMasker, steps: [('C' | 'S'), string][]): string[] {
  const out: string[] = [];
  for (const [dir, text] of steps) {
    const lines = dir === 'C' ? masker.client(text) : masker.server(text);
    for (const line of lines) out.push(`${dir === 'C' ? 'C:' : 'S:'} ${masker.redact(line.text)}`);
  }
  return out;
}

describe('base64Core', () => {
  it('finds the secret inside base64 of any larger blob, at every alignment', () => {
    const secret = Buffer.from('p@ss w0rd+/=%&é');
    for (let before = 0; before < 9; before += 1) {
      for (let after = 0; after < 4; after += 1) {
        const blob = Buffer.concat([Buffer.alloc(before, 0x41 + before), secret, Buffer.alloc(after, 0x7a)]);
        const core = base64Core(secret, (before % 3) as 0 | 1 | 2);
        expect(core.length).toBeGreaterThan(10);
        expect(blob.toString('base64')).toContain(core);
      }
    }
  });

  it('is the whole of base64(secret) less its last group when aligned at 0', () => {
    expect(base64Core(Buffer.from('abcdef'), 0)).toBe(b64('abcdef'));
    expect(b64('abcdefg').startsWith(base64Core(Buffer.from('abcdefg'), 0))).toBe(true);
  });
});

describe('secretForms', () => {
  it('lists the plain, URL-encoded, JSON and base64 forms, longest first', () => {
    const pw = 'p@ss w0rd+/"';
    const forms = secretForms(pw);
    expect(forms).toContain(pw);
    expect(forms).toContain(encodeURIComponent(pw));
    expect(forms).toContain(encodeURIComponent(pw).replace(/%20/g, '+'));
    expect(forms).toContain('p@ss w0rd+/\\"');
    expect(forms).toContain(base64Core(Buffer.from(pw), 0));
    expect(forms).toContain(base64Core(Buffer.from(pw), 1));
    expect(forms).toContain(base64Core(Buffer.from(pw), 2));
    expect([...forms].sort((a, b) => b.length - a.length)).toEqual(forms);
  });

  it('has nothing for an empty secret', () => {
    expect(secretForms('')).toEqual([]);
  });
});

describe('maskFor', () => {
  it('uses a character that occurs in no form, so masks cannot combine into a secret', () => {
    expect(maskFor(secretForms('hunter2'))).toBe('********');
    expect(maskFor(secretForms('a*b'))).toBe('########');
    const all = maskFor(secretForms('*#~^!?_'));
    expect(secretForms('*#~^!?_').some((f) => f.includes(all[0]!))).toBe(false);
  });
});

describe('SecretRedactor', () => {
  it.each(PASSWORDS)('removes %j in every encoding, wherever it sits', (pw) => {
    const r = new SecretRedactor([pw]);
    const samples = [
      `the password is ${pw}, really`,
      `url: https://x.test/?p=${encodeURIComponent(pw)}&q=1`,
      `form: p=${encodeURIComponent(pw).replace(/%20/g, '+')}`,
      `json: {"password":${JSON.stringify(pw)}}`,
      `b64: ${b64(pw)}`,
      // The password at each base64 alignment inside a larger blob, as AUTH PLAIN sends it.
      `plain0: ${b64(`\0${USER}\0${pw}`)}`,
      `plain1: ${b64(`\0${USER}x\0${pw}`)}`,
      `plain2: ${b64(`\0${USER}xy\0${pw}`)}`,
      `xoauth2: ${b64(`user=${USER}\x01auth=Bearer ${pw}\x01\x01`)}`,
      `twice ${pw}${pw} and glued${b64(pw)}${pw}`,
    ];
    for (const sample of samples) {
      const out = r.redact(sample);
      expect(leaks(out, pw), `${sample} -> ${out}`).toEqual([]);
    }
  });

  it('removes several secrets at once, and one added later', () => {
    const r = new SecretRedactor(['first-secret', undefined, null, '']);
    r.add('access-token-123456');
    const out = r.redact('first-secret then access-token-123456 then ' + b64('x' + 'access-token-123456'));
    expect(out).not.toContain('first-secret');
    expect(out).not.toContain('access-token-123456');
    expect(recoverableFromBase64(out, 'access-token-123456')).toBe(false);
  });

  it('leaves text without secrets alone', () => {
    const r = new SecretRedactor(['hunter2']);
    expect(r.redact('250 2.0.0 OK queued as 12345')).toBe('250 2.0.0 OK queued as 12345');
  });

  it('never leaves a secret put together from a mask and its neighbours', () => {
    // Random secrets over a tiny alphabet (mask characters included) in random text: nothing survives.
    const alphabet = ['a', 'b', '*', '#', '~', '^', '!', '?', '_'];
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 300; i += 1) {
      const secret = Array.from({ length: 2 + rand(4) }, () => alphabet[rand(alphabet.length)]).join('');
      const text = Array.from({ length: 40 }, () => alphabet[rand(alphabet.length)]).join('') + secret;
      const out = new SecretRedactor([secret]).redact(text);
      expect(out.includes(secret), `${JSON.stringify(secret)} in ${JSON.stringify(out)}`).toBe(false);
    }
  });

  it('hides a secret that holds a line break, even if the log splits it across lines', () => {
    const pw = 'first-half\nsecond-half-longer';
    const r = new SecretRedactor([pw]);
    const out = r.redact('x second-half-longer y');
    expect(out).not.toContain('second-half-longer');
  });
});

describe('ConversationMasker: sign-in', () => {
  it('hides the AUTH PLAIN initial response', () => {
    const m = new ConversationMasker(['hunter2']);
    const out = run(m, [
      ['C', `AUTH PLAIN ${b64(`\0${USER}\0hunter2`)}`],
      ['S', '235 2.7.0 Authentication successful'],
      ['C', `MAIL FROM:<${USER}>`],
    ]);
    expect(out).toEqual([`C: AUTH PLAIN ${HIDDEN}`, 'S: 235 2.7.0 Authentication successful', `C: MAIL FROM:<${USER}>`]);
  });

  it('hides the AUTH PLAIN blob even when no secret was given', () => {
    const m = new ConversationMasker();
    const out = run(m, [['C', `auth plain ${b64(`\0${USER}\0unknown-password`)}`]]);
    expect(out).toEqual([`C: AUTH PLAIN ${HIDDEN}`]);
    expect(recoverableFromBase64(out.join('\n'), 'unknown-password')).toBe(false);
  });

  it('hides the answers to AUTH PLAIN sent after an empty 334', () => {
    const m = new ConversationMasker();
    const out = run(m, [
      ['C', 'AUTH PLAIN'],
      ['S', '334 '],
      ['C', b64(`\0${USER}\0unknown-password`)],
      ['S', '235 ok'],
    ]);
    expect(out).toEqual(['C: AUTH PLAIN', 'S: 334 ', `C: ${HIDDEN} (sign-in data)`, 'S: 235 ok']);
  });

  it('hides both AUTH LOGIN challenge answers (user name and password)', () => {
    const m = new ConversationMasker();
    const out = run(m, [
      ['C', 'AUTH LOGIN'],
      ['S', '334 VXNlcm5hbWU6'],
      ['C', b64(USER)],
      ['S', '334 UGFzc3dvcmQ6'],
      ['C', b64('never-given-to-the-masker')],
      ['S', '235 2.7.0 Accepted'],
      ['C', 'MAIL FROM:<a@b.test>'],
    ]);
    expect(out).toEqual([
      'C: AUTH LOGIN',
      'S: 334 VXNlcm5hbWU6',
      `C: ${HIDDEN} (sign-in data)`,
      'S: 334 UGFzc3dvcmQ6',
      `C: ${HIDDEN} (sign-in data)`,
      'S: 235 2.7.0 Accepted',
      'C: MAIL FROM:<a@b.test>',
    ]);
  });

  it('hides AUTH LOGIN with an initial response, and a refused sign-in ends the hiding', () => {
    const m = new ConversationMasker();
    const out = run(m, [
      ['C', `AUTH LOGIN ${b64(USER)}`],
      ['S', '334 UGFzc3dvcmQ6'],
      ['C', b64('wrong')],
      ['S', '535 5.7.8 Authentication credentials invalid'],
      ['C', 'QUIT'],
    ]);
    expect(out).toEqual([`C: AUTH LOGIN ${HIDDEN}`, 'S: 334 UGFzc3dvcmQ6', `C: ${HIDDEN} (sign-in data)`, 'S: 535 5.7.8 Authentication credentials invalid', 'C: QUIT']);
  });

  it('hides XOAUTH2 (and the empty line that answers its error challenge) and the token anywhere else', () => {
    const token = 'EwBwA8l6BAAUkj1234567890abcdefghijklmnop.qrstuv-wxyz_';
    const m = new ConversationMasker([token]);
    const out = run(m, [
      ['C', `AUTH XOAUTH2 ${b64(`user=${USER}\x01auth=Bearer ${token}\x01\x01`)}`],
      ['S', `334 ${b64('{"status":"401","schemes":"bearer","scope":"https://outlook.office.com/SMTP.Send"}')}`],
      ['C', ''],
      ['S', '535 5.7.3 Authentication unsuccessful'],
    ]);
    expect(out).toEqual([
      `C: AUTH XOAUTH2 ${HIDDEN}`,
      expect.stringMatching(/^S: 334 /),
      `C: ${HIDDEN} (sign-in data)`,
      'S: 535 5.7.3 Authentication unsuccessful',
    ]);
    expect(m.note(`Bearer ${token}`)).not.toContain(token);
    expect(m.note(`token=${encodeURIComponent(token)}`)).not.toContain(token.slice(0, 20));
  });

  it('hides the CRAM-MD5 response', () => {
    const m = new ConversationMasker();
    const response = b64('tim b913a602c7eda7a495b4e6e7334d3890');
    const out = run(m, [
      ['C', 'AUTH CRAM-MD5'],
      ['S', '334 PDQxOTI5NDIzNDEuMTI4Mjg0NzJAc291cmNlZm91ci5hbmRyZXcuY211LmVkdT4='],
      ['C', response],
      ['S', '235 2.7.0 ok'],
    ]);
    expect(out[2]).toBe(`C: ${HIDDEN} (sign-in data)`);
    expect(out.join('\n')).not.toContain(response);
  });

  it('hides an AUTH line whose mechanism is not a mechanism name', () => {
    const m = new ConversationMasker();
    expect(texts(m.client(`AUTH ${b64('\0u\0p')} more`))).toEqual([`AUTH ${HIDDEN}`]);
  });

  it.each(PASSWORDS)('never shows the password %j, however it is sent or echoed', (pw) => {
    const m = new ConversationMasker([pw]);
    const lines = run(m, [
      ['C', `AUTH PLAIN ${b64(`\0${USER}\0${pw}`)}`],
      ['S', `535 5.7.8 Wrong password ${pw} (${b64(pw)})`],
      ['C', 'AUTH LOGIN'],
      ['S', '334 VXNlcm5hbWU6'],
      ['C', b64(USER)],
      ['S', '334 UGFzc3dvcmQ6'],
      ['C', b64(pw)],
      ['S', '535 no'],
      ['C', `NOOP ${pw} ${encodeURIComponent(pw)}`],
    ]);
    lines.push(m.redact(m.note(`login with user=${USER}&password=${encodeURIComponent(pw)} failed: ${JSON.stringify({ pw })}`)));
    const all = lines.join('\n');
    expect(leaks(all, pw), all).toEqual([]);
  });
});

describe('ConversationMasker: message content', () => {
  it('shows one line for everything between 354 and the final dot, headers included', () => {
    const m = new ConversationMasker();
    const content = ['From: Acme <invoices@acme.example>', 'Subject: Invoice 42 for Secret Client', '', 'Dear client, the body text.', '..a dot-stuffed line', 'UEsDBBQAAAAIAAAAIQA='];
    const out = run(m, [
      ['C', 'MAIL FROM:<invoices@acme.example>'],
      ['S', '250 ok'],
      ['C', 'RCPT TO:<client@example.com>'],
      ['S', '250 ok'],
      ['C', 'DATA'],
      ['S', '354 End data with <CR><LF>.<CR><LF>'],
      ...content.map((l) => ['C', l] as ['C', string]),
      ['C', '.'],
      ['S', '250 2.0.0 Ok: queued'],
      ['C', 'QUIT'],
    ]);
    const bytes = content.reduce((n, l) => n + Buffer.byteLength(l) + 2, 0);
    expect(out).toEqual([
      'C: MAIL FROM:<invoices@acme.example>',
      'S: 250 ok',
      'C: RCPT TO:<client@example.com>',
      'S: 250 ok',
      'C: DATA',
      'S: 354 End data with <CR><LF>.<CR><LF>',
      `C: [message content: ${bytes} bytes, not logged]`,
      'C: .',
      'S: 250 2.0.0 Ok: queued',
      'C: QUIT',
    ]);
  });

  it('takes content given in one piece of several lines', () => {
    const m = new ConversationMasker();
    m.server('354 go ahead');
    expect(texts(m.client('Subject: hi\r\n\r\nbody\r\n.\r\n'))).toEqual(['[message content: 21 bytes, not logged]', '.']);
  });

  it('counts content reported in pieces and closes it at the server reply or with an exact total', () => {
    const m = new ConversationMasker();
    m.server('354 go ahead');
    m.content(100);
    m.content(23);
    expect(texts(m.server('250 queued'))).toEqual(['[message content: 123 bytes, not logged]', '250 queued']);
    m.server('354 again');
    m.content(10);
    expect(texts(m.endContent(4096))).toEqual(['[message content: 4096 bytes, not logged]']);
    expect(m.endContent()).toEqual([]);
  });

  it('closes content still open when the conversation ends', () => {
    const m = new ConversationMasker();
    m.server('354 go ahead');
    m.client('Subject: cut off');
    expect(texts(m.finish())).toEqual(['[message content: 18 bytes, not logged]']);
    expect(m.finish()).toEqual([]);
  });

  it('shows client lines again when DATA is refused', () => {
    const m = new ConversationMasker();
    expect(run(m, [['C', 'DATA'], ['S', '554 5.5.1 No valid recipients'], ['C', 'RSET']])).toEqual(['C: DATA', 'S: 554 5.5.1 No valid recipients', 'C: RSET']);
  });
});

describe('ConversationMasker: server text', () => {
  it('escapes terminal escapes, bidi overrides and control characters', () => {
    const m = new ConversationMasker();
    const [line] = texts(m.server('250 ok \x1b[2J\x1b]0;owned\x07 \u202e gnp.exe \u0085'));
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(line).toContain('\\x1b[2J');
    expect(line).toContain('\\u202e');
  });

  it('gives each line of a multi-line reply its own log line', () => {
    const m = new ConversationMasker();
    expect(texts(m.server('250-mail.test\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 1000\r\n'))).toEqual(['250-mail.test', '250-AUTH PLAIN LOGIN', '250 SIZE 1000']);
  });

  it('bounds a huge line', () => {
    const m = new ConversationMasker();
    const [line] = texts(m.server('250 ' + 'x'.repeat(100_000)));
    expect(line!.length).toBeLessThanOrEqual(MAX_LINE_CHARS);
    expect(line!.endsWith('…')).toBe(true);
  });

  it('makes a note one safe line', () => {
    const m = new ConversationMasker(['hunter2']);
    expect(m.note('first\nsecond hunter2\x1b[0m')).toBe('first | second ********\\x1b[0m');
  });
});
