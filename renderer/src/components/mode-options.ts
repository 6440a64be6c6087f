// The choices of Compose with and Send with as the dialog offers them: label, what each does, and
// why one cannot be chosen on this computer (Outlook and MAPI are Windows-only; Microsoft 365 needs
// Allow Microsoft 365 web).
import {
  COMPOSE_LABELS,
  COMPOSE_MODES,
  M365_MODES,
  SEND_LABELS,
  SEND_MODES,
  modeUnavailable,
  type ComposeMode,
  type SendMode,
} from '../../../preload/contract';

export type ModeKind = 'compose' | 'send';

export interface ModeOption {
  /** A mode, or '' for "use the system setting" on a user. */
  value: string;
  label: string;
  description: string;
  /** Why it cannot be chosen here; undefined when it can. */
  unavailable?: string;
  /** What stands in the way: this computer, or Allow Microsoft 365 web being off. */
  blockedBy?: 'platform' | 'm365';
}

export const COMPOSE_DESCRIPTIONS: Readonly<Record<ComposeMode, string>> = {
  builtin: 'Mailroom’s own message window, sending through a server profile.',
  outlook: 'A new message opens in Outlook (classic) on this computer.',
  'full-mapi': 'The default mail client opens the message, through Extended MAPI.',
  'simple-mapi': 'The default mail client opens the message, through Simple MAPI.',
  'm365-web': 'A draft is saved in the user’s Microsoft 365 mailbox and opens in Outlook on the web.',
  autodetect:
    'Outlook (classic) if it is installed; otherwise the MAPI level the default mail client supports; otherwise the computer’s default mail client.',
};

export const SEND_DESCRIPTIONS: Readonly<Record<SendMode, string>> = {
  smtp: 'Mailroom’s outbox sends it through a server profile.',
  outlook: 'Outlook (classic) sends it from the user’s own mailbox.',
  'full-mapi': 'The default mail client sends it, through Extended MAPI.',
  'simple-mapi': 'The default mail client sends it, through Simple MAPI.',
  'm365-graph': 'Microsoft Graph sends it, with a profile signed in to Microsoft 365.',
  autodetect: 'Mailroom’s outbox (SMTP) on every computer: Outlook and MAPI send only when chosen here.',
};

export interface Availability {
  /** process.platform of the computer running Mailroom; undefined while not known. */
  platform: string | undefined;
  allowM365Web: boolean;
}

export function labelOf(kind: ModeKind, mode: string): string {
  return kind === 'compose' ? (COMPOSE_LABELS[mode as ComposeMode] ?? mode) : (SEND_LABELS[mode as SendMode] ?? mode);
}

export function descriptionOf(kind: ModeKind, mode: string): string | undefined {
  return kind === 'compose' ? COMPOSE_DESCRIPTIONS[mode as ComposeMode] : SEND_DESCRIPTIONS[mode as SendMode];
}

/** Why a mode cannot be chosen here, or undefined. Until the platform is known nothing is ruled out for it. */
export function unavailableReason(mode: ComposeMode | SendMode, availability: Availability): string | undefined {
  return modeUnavailable(mode, { platform: availability.platform ?? 'win32', allowM365Web: availability.allowM365Web }) ?? undefined;
}

/** Every mode of one kind, each with its reason when it cannot be chosen here. */
export function modeOptions(kind: ModeKind, availability: Availability): ModeOption[] {
  const modes: readonly (ComposeMode | SendMode)[] = kind === 'compose' ? COMPOSE_MODES : SEND_MODES;
  return modes.map((mode) => {
    const unavailable = unavailableReason(mode, availability);
    return {
      value: mode,
      label: labelOf(kind, mode),
      description: descriptionOf(kind, mode) ?? '',
      ...(unavailable ? { unavailable, blockedBy: M365_MODES.includes(mode) ? ('m365' as const) : ('platform' as const) } : {}),
    };
  });
}

/** A user's options: the system's own first (stored as null), then every mode. */
export function userModeOptions(kind: ModeKind, systemMode: string, availability: Availability): ModeOption[] {
  return [
    {
      value: '',
      label: systemChoiceLabel(kind, systemMode),
      description: 'Follows the Email tab, and whatever it is changed to later.',
    },
    ...modeOptions(kind, availability),
  ];
}

export function systemChoiceLabel(kind: ModeKind, systemMode: string): string {
  return `Use the system setting (${labelOf(kind, systemMode)})`;
}

/** One line on why some choices are greyed out, for under the field; undefined when none are. */
export function unavailableSummary(options: readonly ModeOption[]): string | undefined {
  const windows = options.filter((o) => o.blockedBy === 'platform');
  const m365 = options.filter((o) => o.blockedBy === 'm365');
  const parts: string[] = [];
  if (windows.length > 0) parts.push(`${joinLabels(windows)} work only on Windows`);
  if (m365.length > 0) parts.push(`${joinLabels(m365)} needs Allow Microsoft 365 web`);
  return parts.length > 0 ? `${parts.join('; ')}.` : undefined;
}

function joinLabels(options: readonly ModeOption[]): string {
  const labels = options.map((o) => o.label);
  return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}
