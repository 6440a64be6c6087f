// policy show: the machine policy in force, as IT checks a deployment.
import type { PolicyView } from '../../../preload/contract';
import type { Command } from '../command';
import { EXIT, printJson, table } from '../output';

export const POLICY_COMMANDS: Command[] = [
  {
    name: 'policy show',
    summary: 'Show the settings machine policy sets (locked for everyone), where each was set, and what was ignored',
    usage: 'mailroom policy show [--json]',
    details: [
      'Places looked at, the first to set a setting wins:',
      '  Windows  HKLM\\SOFTWARE\\Policies\\Mailroom, then HKCU\\SOFTWARE\\Policies\\Mailroom',
      '  macOS    managed preferences for the user, then for the computer',
      '  others   /etc/mailroom/policy.json',
      'MAILROOM_POLICY_FILE names a JSON file to read instead of /etc/mailroom/policy.json (on Windows and macOS, after the others).',
      'A value that is not valid for its setting, or a path that is not a setting, is listed as a problem and ignored.',
      'Exits 0 when the policy could be read, problems or not; with --json, prints one document: sources, entries, problems.',
    ].join('\n'),
    async run(ctx) {
      const view = ctx.services().policy.view();
      if (ctx.json) printJson(ctx.io, view);
      else ctx.io.stdout.write(describe(view));
      return EXIT.ok;
    },
  },
];

function describe(view: PolicyView): string {
  const lines: string[] = [];
  const { entries, problems, sources } = view;
  if (entries.length === 0) lines.push('No setting is set by machine policy.');
  else {
    lines.push(`${entries.length === 1 ? 'One setting is' : `${entries.length} settings are`} set by machine policy (locked for everyone):`);
    lines.push(...table(entries.map((e) => [e.path, JSON.stringify(e.value) ?? String(e.value), e.source])));
  }
  if (problems.length > 0) {
    lines.push('', `Ignored (${problems.length}):`);
    for (const p of problems) lines.push(`  ${p.source}${p.path ? `: ${p.path}` : ''}: ${p.message}`);
  }
  lines.push('', 'Places looked at, the first to set a setting wins:');
  if (sources.length === 0) lines.push('  none on this platform');
  lines.push(...table(sources.map((s) => [s.location, s.found ? 'read' : 'nothing there'])));
  return lines.join('\n') + '\n';
}
