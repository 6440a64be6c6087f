// `npm run dist`: the installers electron-builder.yml describes, for this machine's platform, plus
// what only the environment may hold: the Azure Trusted Signing account. With --release it refuses
// to start unless every package will be signed (and on macOS notarised), rather than let a missing
// secret turn into an unsigned release; --dir makes only the unpacked app, for trying it out.
//
//   node scripts/dist.mjs [--release] [--dir]
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONFIG_FILE = 'electron-builder.yml';

/** The environment variables signing and notarisation read; none of them is ever in a file here. */
export const SIGNING_ENV = {
  /** The code-signing certificate (.pfx / .p12, base64 or a path) and its password: Windows and macOS. */
  certificate: ['CSC_LINK', 'CSC_KEY_PASSWORD'],
  /** macOS: the Developer ID Installer certificate for the pkg, when CSC_LINK does not hold it too. */
  installerCertificate: ['CSC_INSTALLER_LINK', 'CSC_INSTALLER_KEY_PASSWORD'],
  /**
   * Windows: the Azure Trusted Signing account (not secret, but the organisation's own): endpoint,
   * account, certificate profile, and the publisher name exactly as the certificate's subject has it.
   */
  azureAccount: ['AZURE_TRUSTED_SIGNING_ENDPOINT', 'AZURE_TRUSTED_SIGNING_ACCOUNT', 'AZURE_TRUSTED_SIGNING_PROFILE', 'AZURE_TRUSTED_SIGNING_PUBLISHER'],
  /** Windows: the Entra app that may sign with that account. */
  azureCredentials: ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'],
  /** macOS: either set notarises (an App Store Connect API key, APPLE_API_KEY being the .p8 file's path; or an Apple ID). */
  notarisation: [
    ['APPLE_API_KEY', 'APPLE_API_KEY_ID', 'APPLE_API_ISSUER'],
    ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'],
  ],
};

const ALL_SIGNING_ENV = [
  ...SIGNING_ENV.certificate,
  ...SIGNING_ENV.installerCertificate,
  ...SIGNING_ENV.azureAccount,
  ...SIGNING_ENV.azureCredentials,
  ...SIGNING_ENV.notarisation.flat(),
];

const isSet = (env, name) => typeof env[name] === 'string' && env[name] !== '';

/**
 * Removes the signing variables that are set but empty: a CI secret that does not exist arrives as
 * an empty string, which electron-builder would take for a certificate.
 */
export function dropEmptySigningEnv(env) {
  for (const name of ALL_SIGNING_ENV) if (env[name] === '') delete env[name];
  return env;
}

/**
 * What the environment adds to electron-builder.yml: Azure Trusted Signing's account when it is
 * named (all four variables, or none). The credentials stay in the environment, where the signing
 * module reads them.
 */
export function configFromEnv(env) {
  const named = SIGNING_ENV.azureAccount.filter((name) => isSet(env, name));
  if (named.length === 0) return {};
  if (named.length < SIGNING_ENV.azureAccount.length) {
    const missing = SIGNING_ENV.azureAccount.filter((name) => !isSet(env, name));
    throw new Error(`Azure Trusted Signing needs ${missing.join(' and ')} as well as ${named.join(' and ')}.`);
  }
  return {
    win: {
      azureSignOptions: {
        endpoint: env.AZURE_TRUSTED_SIGNING_ENDPOINT,
        codeSigningAccountName: env.AZURE_TRUSTED_SIGNING_ACCOUNT,
        certificateProfileName: env.AZURE_TRUSTED_SIGNING_PROFILE,
        publisherName: env.AZURE_TRUSTED_SIGNING_PUBLISHER,
      },
    },
  };
}

/** Why a release built here now would not be signed (and notarised): nothing when it would be. */
export function releaseProblems(platform, env) {
  const missing = (names) => names.filter((name) => !isSet(env, name));
  if (platform === 'win32') {
    const azure = [...SIGNING_ENV.azureAccount, ...SIGNING_ENV.azureCredentials];
    if (isSet(env, 'CSC_LINK') || missing(azure).length === 0) return [];
    return [`Windows packages are signed with a certificate (CSC_LINK, CSC_KEY_PASSWORD) or Azure Trusted Signing (${azure.join(', ')}); missing: CSC_LINK, or ${missing(azure).join(', ')}.`];
  }
  if (platform === 'darwin') {
    const problems = [];
    if (!isSet(env, 'CSC_LINK')) problems.push('macOS packages are signed with a Developer ID certificate: CSC_LINK (and CSC_KEY_PASSWORD) is not set.');
    if (!SIGNING_ENV.notarisation.some((set) => missing(set).length === 0)) {
      problems.push(`macOS packages are notarised with ${SIGNING_ENV.notarisation.map((set) => set.join(', ')).join(' or with ')}; neither set is complete.`);
    }
    return problems;
  }
  return [`Releases are built on Windows and macOS, not on ${platform}.`];
}

async function main(args) {
  const unknown = args.filter((arg) => arg !== '--release' && arg !== '--dir');
  if (unknown.length > 0) throw new Error(`Unknown argument ${unknown.join(' ')}: use --release, --dir, or electron-builder itself.`);
  const release = args.includes('--release');
  dropEmptySigningEnv(process.env);
  if (release) {
    const problems = releaseProblems(process.platform, process.env);
    if (problems.length > 0) throw new Error(`Not building a release that would not be signed:\n  ${problems.join('\n  ')}`);
  }
  const { build } = await import('electron-builder');
  await build({
    projectDir: ROOT,
    // The file's path as `extends`: electron-builder loads it and lays the rest over it.
    config: { extends: CONFIG_FILE, ...configFromEnv(process.env), ...(release ? { forceCodeSigning: true } : {}) },
    dir: args.includes('--dir'),
    // The release workflow attaches the files to the GitHub release itself.
    publish: 'never',
  });
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
