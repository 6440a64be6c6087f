// The lint rule behind the layering in eslint.config.js: a file may import only what its layer's
// allow-list names, so a new arrow between layers is an error until someone decides it is right.
// Relative imports are resolved against the importing file (by name only, nothing is read from
// disk), so `../mail/x` means the same folder wherever it is written.
import path from 'node:path';
import { builtinModules } from 'node:module';

const builtins = new Set(builtinModules);
const CODE_EXTENSION = /\.(?:[cm]?[jt]sx?|d\.ts)$/;

/** `nodemailer/lib/mail-composer` → `nodemailer`; `@azure/msal-node/x` → `@azure/msal-node`. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isBuiltin(specifier) {
  return specifier.startsWith('node:') || builtins.has(packageName(specifier));
}

/** The imported module as a path from the project root, without extension, or undefined if outside it. */
function resolveLocal(specifier, filename, cwd) {
  const absolute = path.resolve(path.dirname(filename), specifier);
  const relative = path.relative(cwd, absolute).split(path.sep).join('/');
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.replace(CODE_EXTENSION, '');
}

/**
 * Whether one allow-list entry admits an import. Entries are:
 * - `node` for Node's built-in modules;
 * - a package name, or a scope with `/*` (`@fluentui/*`);
 * - a folder from the project root ending in `/` (`main/services/mail/`): anything inside it, and
 *   the folder itself (its index);
 * - a module from the project root without extension (`main/services/index`); a folder import
 *   (`../services`) counts as its index.
 */
function admits(entry, specifier, local) {
  if (local === undefined) {
    if (entry === 'node') return isBuiltin(specifier);
    if (entry.endsWith('/*')) return specifier.startsWith(entry.slice(0, -1));
    return !isBuiltin(specifier) && packageName(specifier) === entry;
  }
  if (entry === 'node' || !entry.includes('/')) return false;
  if (entry.endsWith('/')) return local.startsWith(entry) || `${local}/` === entry;
  return local === entry || `${local}/index` === entry;
}

function isRelative(specifier) {
  return specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../') || path.isAbsolute(specifier);
}

export const allowedImports = {
  meta: {
    type: 'problem',
    docs: { description: "A file may import only what its layer's allow-list names." },
    schema: [
      {
        type: 'object',
        properties: {
          layer: { type: 'string' },
          allow: { type: 'array', items: { type: 'string' } },
          why: { type: 'string' },
        },
        required: ['layer', 'allow'],
        additionalProperties: false,
      },
    ],
    messages: {
      notAllowed: "{{layer}} may not import '{{specifier}}'{{target}}. {{why}}",
    },
  },
  create(context) {
    const { layer, allow, why = '' } = context.options[0];
    const cwd = context.cwd;
    const filename = context.filename;

    function check(node, source) {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const specifier = source.value;
      const local = isRelative(specifier) ? resolveLocal(specifier, filename, cwd) : undefined;
      // An import that leaves the project is never on a list.
      const outside = isRelative(specifier) && local === undefined;
      if (!outside && allow.some((entry) => admits(entry, specifier, local))) return;
      context.report({
        node: source,
        messageId: 'notAllowed',
        data: { layer, specifier, target: local && local !== specifier ? ` (${local})` : '', why },
      });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      // `import('x').T` in a type: typescript-eslint 8 names the string `source` (older: `argument`).
      TSImportType(node) {
        const source = node.source ?? node.argument;
        check(node, source?.type === 'TSLiteralType' ? source.literal : source);
      },
      TSExternalModuleReference: (node) => check(node, node.expression),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1) check(node, node.arguments[0]);
      },
    };
  },
};

export default { rules: { 'allowed-imports': allowedImports } };
