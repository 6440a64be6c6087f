// Reading what the user pipes in: a whole file, or one secret line.
export function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer | string) => chunks.push(Buffer.from(c)));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

/** A password from standard input: the first line, without its line ending. */
export async function readSecretLine(stream: NodeJS.ReadableStream): Promise<string> {
  const text = await readAll(stream);
  return text.split(/\r?\n/, 1)[0] ?? '';
}
