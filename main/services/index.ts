// Builds every service from what the shell passes in. Nothing here imports electron: Electron-only
// pieces (electron-store, safeStorage, shell.openPath) arrive as arguments.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { POLICY_OFFICE_DATABASE, fail, findUser, ok, type AppInfo, type Diagnosis, type Result, type Shell, type SmtpProfile } from '../../preload/contract';
import type { Identity } from './access';
import { fromShellOpener, openFolderOnly, openUrlWithSystem, openWithSystem, type SystemOpener } from './os-open';
import { SettingsUseCases, localVault, type PasswordVault } from './use-cases/settings-use-cases';
import { MailUseCases } from './use-cases/mail-use-cases';
import { NoticeService } from './notices';
import { LiveUpdates } from './live-updates';
import { DataUnreadableError, SettingsService, errorText, type DocumentFileFactory } from './settings/settings-service';
import { keyFileCodec, type SecretCodec } from './secrets/codecs';
import { SecretStore } from './secrets/secret-store';
import { MailService } from './mail/mail-service';
import { DebugLog } from './debug-log/debug-log';
import { Outbox } from './outbox/outbox';
import { fileQueue, type MessageQueue } from './outbox/message-queue';
import type { SettingsStore } from './settings/settings-store';
import { OfficeSettings } from './office/office-settings';
import { OfficeOutbox } from './office/office-outbox';
import { officeQueue } from './office/office-queue';
import { officeVault } from './office/office-vault';
import { OfficeStore, type OfficeStatus } from './office/office-store';
import { OfficeLink } from './office/office-link';
import { testThroughSender } from './office/office-requests';
import { DATABASE_URL_VARIABLE, describeConnection } from './office/connection';
import { OAuthService } from './oauth/oauth-service';
import { fileTokenCache, type TokenCacheStore } from './oauth/token-cache';
import { officeTokenCache } from './office/office-token-cache';
import { microsoftCloudFromEnv, type MicrosoftCloud } from './oauth/microsoft-cloud';
import { DraftStore } from './compose/drafts';
import { detectOptionsFromEnv } from './mail/detect/detect-settings';
import { ComposeService, type HandOff } from './compose/compose-service';
import { platformHandOff } from './compose/platform-handoff';
import { MachinePolicy, loadMachinePolicy } from './policy/policy-service';
import { systemTrust, type SystemTrust } from './net/system-ca';

export interface ServiceOptions {
  dataDir: string;
  shell: Shell;
  version: string;
  createFile: DocumentFileFactory;
  platform?: NodeJS.Platform;
  now?: () => Date;
  onRecovered?: (message: string) => void;
  /** How secrets are encrypted, preferred first; the key file is always added last so its values stay readable. */
  secretCodecs?: SecretCodec[];
  /** Told when the outbox changes, for live views. */
  onOutboxChange?: () => void;
  /**
   * Opens a folder in the OS file manager; resolves to an error message, or '' on success. Electron
   * passes shell.openPath. It is only ever handed an existing folder (see openFolderOnly).
   */
  openPath?: (folder: string) => Promise<string>;
  /** Opens a web address in the system browser; resolves to an error message, or '' on success. Electron passes shell.openExternal. */
  openUrl?: (url: string) => Promise<string>;
  /** The environment the system opener reads ($BROWSER, PATH); process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** Where Microsoft sign-in and Graph live; from the environment when absent. */
  microsoftCloud?: MicrosoftCloud;
  /** The OS account running Mailroom; os.userInfo() when absent. */
  osUser?: () => string;
  /** Hands messages to other mail clients; the platform's own when absent. */
  handOff?: HandOff;
  /**
   * The machine policy in force (loadMachinePolicy). openServices reads it when absent; the
   * services made by createServices and createOfficeServices have none unless given one.
   */
  policy?: MachinePolicy;
  /** What trusting the computer's certificate store did in this process; systemTrust() when absent. */
  trust?: SystemTrust;
}

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'secrets.key');
}

export type { Identity } from './access';
export { MachinePolicy, loadMachinePolicy } from './policy/policy-service';
export { openFolderOnly, openUrlWithSystem } from './os-open';

/** The signed-in OS account: DOMAIN\\name on Windows when the domain is known, else the login name. */
export function osAccount(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const name = os.userInfo().username;
  return platform === 'win32' && env.USERDOMAIN ? `${env.USERDOMAIN}\\${name}` : name;
}

export interface Services {
  readonly dataDir: string;
  readonly settings: SettingsStore;
  readonly notices: NoticeService;
  readonly secrets: SecretStore;
  readonly mail: MailService;
  readonly outbox: Outbox;
  readonly debugLog: DebugLog;
  readonly oauth: OAuthService;
  readonly drafts: DraftStore;
  readonly compose: ComposeService;
  /** What changed, pushed to open windows (outbox, settings and notices, whichever process changed them). */
  readonly live: LiveUpdates;
  /** Who is using Mailroom: the OS account, the system user it maps to, and whether it may change settings. */
  identity(): Identity;
  /** Opens an existing folder in the OS file manager; anything else (a file, a program, nothing) is refused. */
  openFolder(folder: string): Promise<Result<string>>;
  /**
   * What a caller may do, with the rules that go with it: the one place the dialog, browser mode
   * and the command line change settings, profiles, users, sign-ins and the outbox through.
   */
  readonly useCases: { settings: SettingsUseCases; mail: MailUseCases };
  info(): AppInfo;
  /** The office database set on the General tab, used from the next start. */
  readonly officeLink: OfficeLink;
  /** The machine policy in force: which settings are locked, by whom, and what was ignored. */
  readonly policy: MachinePolicy;
  /** Office mode only: the database's status (senders seen lately), and closing its connections. */
  readonly office?: { status(): Promise<Result<OfficeStatus>>; close(): Promise<void> };
}

/** The services of file mode, whose settings are the file on this computer and answer at once. */
export type FileServices = Omit<Services, 'settings'> & { readonly settings: SettingsService };

/**
 * Builds the services, or throws DataUnreadableError when Mailroom's data cannot be read (another
 * account's settings, a file locked by another program): never starts on defaults it could not read.
 */
export function createServices(options: ServiceOptions): FileServices {
  const dataDir = path.resolve(options.dataDir);
  prepareDataFolder(dataDir, options.platform ?? process.platform);
  const notices = new NoticeService(dataDir, options.now);
  const policy = options.policy ?? MachinePolicy.none();
  const settings = new SettingsService({ dataDir, createFile: options.createFile, notices, now: options.now, onRecovered: options.onRecovered, policy });
  // Read once now: an unreadable file stops the start here, and a damaged one is set aside before anyone asks.
  settings.read();
  void policy.provision(settings);
  const osUser = options.osUser ?? (() => osAccount());
  const identity = (): Identity => {
    const account = osUser();
    const user = findUser(settings.read().users, account);
    const readOnly = settings.readOnlyReason();
    return { account, ...(user ? { user } : {}), admin: settings.isAdministrator(account), ...(readOnly ? { readOnly } : {}) };
  };
  const live = new LiveUpdates({ dataDir, settingsFile: settings.file, noticesFile: notices.file, settingsRevision: () => settings.revision() });
  return assemble(options, { dataDir, notices, settings, identity, osUser, live, policy, vault: localVault, queue: fileQueue, tokenCaches: fileTokenCache, sendsHere: true });
}

/**
 * The services wherever the settings live: the office database when MAILROOM_DATABASE_URL is set
 * or one was saved on the General tab, else the settings file. A database set by the environment
 * that cannot be reached is an error; one saved on the General tab falls back to this computer's
 * settings with a notice, so that the address can be corrected there.
 */
export async function openServices(given: ServiceOptions): Promise<Result<Services>> {
  // Before any connection (the office database's too): trust the computer's certificate store.
  systemTrust();
  const dataDir = path.resolve(given.dataDir);
  prepareDataFolder(dataDir, given.platform ?? process.platform);
  const env = given.env ?? process.env;
  const policy = given.policy ?? (await loadMachinePolicy({ platform: given.platform ?? process.platform, env }));
  const options: ServiceOptions = { ...given, policy };
  const link = new OfficeLink(dataDir, new SecretStore(dataDir, [...(options.secretCodecs ?? []), keyFileCodec(keyFilePath(dataDir))]), env, policy.officeDatabaseUrl());
  let connection: ReturnType<OfficeLink['connection']>;
  try {
    connection = link.connection();
  } catch (error) {
    connection = fail('unavailable', `The saved office database password cannot be read here: ${errorText(error)}`);
  }
  if (connection === undefined) return ok(createServices(options));
  const fromEnvironment = Boolean(env[DATABASE_URL_VARIABLE]);
  let opened: Result<Services>;
  if (connection.ok) {
    const store = new OfficeStore(connection.value);
    opened = await createOfficeServices(options, store);
    if (!opened.ok) await store.close();
  } else opened = connection;
  if (opened.ok || fromEnvironment) return opened;
  const services = createServices(options);
  const setBy = policy.lockOf(POLICY_OFFICE_DATABASE);
  const fix = setBy
    ? `your organisation sets the address (${setBy.source}): ask IT, or check the database password on the General tab, then restart Mailroom.`
    : 'correct the Office database on the General tab, then restart Mailroom.';
  const message = `${connection.ok ? describeConnection(connection.value) : link.url()}: ${opened.error.message} These are this computer's own settings until it is fixed: ${fix}`;
  services.notices.add({ level: 'error', title: 'The office database could not be reached', message });
  options.onRecovered?.(`The office database could not be reached: ${message}`);
  return ok(services);
}

/**
 * The services of office mode: the settings, users and outbox in the office database, as the role
 * the connection signs in as; drafts, notices and debug logs stay on this computer. Changes made
 * by anyone in the office reach this process through LISTEN, and from it every open window.
 */
export async function createOfficeServices(options: ServiceOptions, store: OfficeStore): Promise<Result<Services>> {
  const dataDir = path.resolve(options.dataDir);
  prepareDataFolder(dataDir, options.platform ?? process.platform);
  const policy = options.policy ?? MachinePolicy.none();
  const opened = await OfficeSettings.open(store, policy);
  if (!opened.ok) return opened;
  const settings = opened.value;
  await policy.provision(settings);
  const notices = new NoticeService(dataDir, options.now);
  const live = new LiveUpdates({ dataDir, noticesFile: notices.file, settingsRevision: () => settings.revision() });
  settings.onChange(() => live.settingsChanged());
  const outbox = new OfficeOutbox(store.connection);
  const outboxListeners = new Set<() => void>();
  const requestWaiters = new Map<string, Set<() => void>>();
  const heard = await store.listen((change) => {
    if (change.channel === 'mailroom_requests') {
      for (const wake of requestWaiters.get(change.payload) ?? []) wake();
      return;
    }
    void settings.refresh();
  });
  const changed = (id: string, withinMs: number) =>
    new Promise<void>((resolve) => {
      const waiters = requestWaiters.get(id) ?? new Set<() => void>();
      requestWaiters.set(id, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) requestWaiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, withinMs);
      waiters.add(done);
    });
  if (!heard.ok) return heard;
  const heardOutbox = await outbox.listen(() => {
    live.outboxChanged();
    options.onOutboxChange?.();
    for (const listener of [...outboxListeners]) listener();
  });
  if (!heardOutbox.ok) {
    await heard.value.stop();
    return heardOutbox;
  }
  const services = assemble(options, {
    dataDir,
    notices,
    settings,
    identity: () => settings.identity(),
    osUser: () => settings.role().role,
    live,
    policy,
    vault: () => officeVault(store, settings),
    queue: () =>
      officeQueue({
        outbox,
        store,
        onOutboxChange: (listener) => {
          outboxListeners.add(listener);
          return () => outboxListeners.delete(listener);
        },
      }),
    // A Microsoft 365 sign-in made here is sealed for the sender services; this process never reads it back.
    tokenCaches: () => officeTokenCache(store),
    sendsHere: false,
    senders: async () => {
      const status = await store.status();
      return status.ok ? ok(status.value.senders) : status;
    },
    testRemotely: (profile, ping) => testThroughSender({ store, changed }, profile, ping),
  });
  const where = settings.where;
  return ok({
    ...services,
    info: () => ({ ...services.info(), settingsFile: where, office: { database: store.describe(), role: settings.role().role, admin: settings.role().admin } }),
    office: {
      status: () => store.status(),
      async close() {
        await heard.value.stop();
        await heardOutbox.value.stop();
        await outbox.close();
        await store.close();
      },
    },
  });
}

interface Place<S extends SettingsStore> {
  dataDir: string;
  notices: NoticeService;
  settings: S;
  identity(): Identity;
  osUser(): string;
  live: LiveUpdates;
  policy: MachinePolicy;
  vault(mail: MailService): PasswordVault;
  queue(outbox: Outbox): MessageQueue;
  /** Where the profiles' Microsoft 365 token caches live. */
  tokenCaches(secrets: SecretStore): TokenCacheStore;
  sendsHere: boolean;
  senders?: () => Promise<Result<OfficeStatus['senders']>>;
  testRemotely?: (profile: SmtpProfile, ping: boolean) => Promise<Result<Diagnosis>>;
}

const STORE_UNREADABLE = 'The computer\'s certificate store could not be used';

/** Everything else, the same wherever the settings live. */
function assemble<S extends SettingsStore>(options: ServiceOptions, place: Place<S>): Omit<Services, 'settings'> & { readonly settings: S } {
  const { dataDir, notices, settings, identity, osUser, live, policy } = place;
  const secrets = new SecretStore(dataDir, [...(options.secretCodecs ?? []), keyFileCodec(keyFilePath(dataDir))]);
  const debugLog = new DebugLog({ settings: () => settings.readShared().general.debug, ...(options.now ? { now: options.now } : {}) });
  const cloud = options.microsoftCloud ?? microsoftCloudFromEnv();
  const trust = options.trust ?? systemTrust();
  if (trust.state === 'failed' && !notices.list().some((n) => n.title === STORE_UNREADABLE)) {
    notices.add({
      level: 'warning',
      title: STORE_UNREADABLE,
      message: `Mailroom trusts only its own list of certificate authorities for now (${trust.error}): a sign-in through a proxy that inspects HTTPS, or a server certified by your organisation, fails unless the profile names a CA file. Ask IT to check the certificate store, then restart Mailroom.`,
    });
  }
  const env = options.env ?? process.env;
  const openUrl: SystemOpener = options.openUrl ? fromShellOpener(options.openUrl) : (url) => openUrlWithSystem(url, { env });
  const openFolder = openFolderOnly(options.openPath ? fromShellOpener(options.openPath) : (folder) => openWithSystem(folder, { env }));
  const oauth = new OAuthService({ caches: place.tokenCaches(secrets), cloud, openUrl, systemStore: trust.state !== 'unsupported' });
  const mail = new MailService({ settings, secrets, debugLog, oauth, cloud, osUser, trustedCas: trust.text });
  const onOutboxChange = (): void => {
    live.outboxChanged();
    options.onOutboxChange?.();
  };
  const outbox = new Outbox({ dataDir, settings, mail, ...(options.now ? { now: () => options.now!().getTime() } : {}), onChange: onOutboxChange });
  const drafts = new DraftStore(dataDir, options.now);
  const officeLink = new OfficeLink(dataDir, secrets, env, policy.officeDatabaseUrl());
  const queue = place.queue(outbox);
  const compose = new ComposeService({
    settings,
    outbox: queue,
    drafts,
    identity,
    handOff: options.handOff ?? platformHandOff(),
    platform: options.platform ?? process.platform,
    mail,
    openUrl,
  });
  const useCases = {
    settings: new SettingsUseCases({ settings, vault: place.vault(mail), identity, detect: detectOptionsFromEnv(env), policy, officeLink, officeInUse: place.sendsHere ? 'file' : 'office' }),
    mail: new MailUseCases({ settings, mail, oauth, outbox, queue, sendsHere: place.sendsHere, ...(place.senders ? { senders: place.senders } : {}), ...(place.testRemotely ? { testRemotely: place.testRemotely } : {}), identity, openFolder }),
  };
  return {
    dataDir,
    settings,
    drafts,
    compose,
    live,
    notices,
    secrets,
    mail,
    outbox,
    oauth,
    identity,
    openFolder,
    useCases,
    debugLog,
    officeLink,
    policy,
    info: () => ({
      name: 'Mailroom',
      version: options.version,
      shell: options.shell,
      platform: options.platform ?? process.platform,
      dataDir,
      settingsFile: settings.where,
    }),
  };
}

/**
 * The data folder exists and only its owner can enter it: created 0700, and tightened to 0700 when
 * it is ours and others could look inside (a folder owned by someone else is left alone).
 */
function prepareDataFolder(dataDir: string, platform: NodeJS.Platform): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DataUnreadableError(`Mailroom cannot create its data folder ${dataDir}: ${errorText(error)}. Set MAILROOM_DATA_DIR to a folder you can write to.`);
  }
  if (platform === 'win32' || typeof process.getuid !== 'function') return;
  try {
    const st = fs.statSync(dataDir);
    if (st.uid === process.getuid() && (st.mode & 0o077) !== 0) fs.chmodSync(dataDir, st.mode & 0o700);
  } catch {
    /* a folder we cannot look at or change is reported by the first read of the settings */
  }
}
