import { defineConfig, type Plugin, type Rolldown } from 'vite';
import react from '@vitejs/plugin-react';
import griffel from '@griffel/vite-plugin';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

const isZod = (id: string) => id.includes('/node_modules/zod/');

/**
 * The scripts the first paint loads (the entry chunk and what it imports statically) must not carry
 * zod: it is a fifth of them gzipped, and building the contract's schemas takes longer than
 * drawing the dialog. The dialog shows the saved settings without them and loads them just after
 * (renderer/src/validators.ts); plain values come from the contract's modules that do not import
 * zod. A build that breaks this fails, naming the imports that brought zod in.
 */
function firstPaintWithoutZod(): Plugin {
  return {
    name: 'mailroom:first-paint-without-zod',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map<string, Rolldown.OutputChunk>();
      for (const output of Object.values(bundle)) if (output.type === 'chunk') chunks.set(output.fileName, output);
      const initial = new Set<Rolldown.OutputChunk>();
      const visit = (chunk: Rolldown.OutputChunk | undefined) => {
        if (!chunk || initial.has(chunk)) return;
        initial.add(chunk);
        for (const file of chunk.imports) visit(chunks.get(file));
      };
      for (const chunk of chunks.values()) if (chunk.isEntry) visit(chunk);
      const modules = new Set([...initial].flatMap((chunk) => chunk.moduleIds));
      if (![...modules].some(isZod)) return;
      // The shortest chain of static imports from an entry to zod.
      const entries = [...initial].flatMap((chunk) => (chunk.facadeModuleId ? [chunk.facadeModuleId] : []));
      const from = new Map<string, string | null>(entries.map((id) => [id, null]));
      const queue = [...entries];
      let found: string | undefined;
      while (queue.length > 0 && !found) {
        const id = queue.shift()!;
        for (const next of this.getModuleInfo(id)?.importedIds ?? []) {
          if (from.has(next)) continue;
          from.set(next, id);
          if (isZod(next)) {
            found = next;
            break;
          }
          queue.push(next);
        }
      }
      const chain: string[] = [];
      for (let id: string | null | undefined = found; id; id = from.get(id)) chain.unshift(isZod(id) ? 'zod' : path.relative(projectRoot, id));
      this.error(
        `zod is in the scripts the first paint loads, through ${chain.join(' → ')}. ` +
          'Take plain values from contract modules that do not import zod, and schemas through renderer/src/validators.ts (loaded after the first paint).',
      );
    },
  };
}

export default defineConfig(({ command }) => ({
  root,
  base: './',
  plugins: [
    react(),
    // The app's makeStyles calls are compiled to their CSS at build time, as Fluent ships its own
    // already: the page then carries no style compiler and computes no style when it starts. The
    // style files import TypeScript, which the plugin evaluates through Babel. The dev server keeps
    // run-time styles, which change without a rebuild.
    command === 'build' && griffel({ babelOptions: { presets: ['@babel/preset-typescript'] } }),
    firstPaintWithoutZod(),
  ],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
}));
