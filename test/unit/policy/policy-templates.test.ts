// The policy templates IT deploys (packaging/policy): the Group Policy ADMX/ADML and the sample macOS
// configuration profile. Each must be well-formed XML, name only settings the policy service accepts,
// with values it accepts, and the ADMX may refer only to strings and presentations the ADML has.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DOMParser } from '@xmldom/xmldom';
import { parse as parseYaml } from 'yaml';
import { POLICY_PATHS, policyValue, unknownPathReason } from '../../../main/services/policy/policy-paths';
import { MachinePolicy } from '../../../main/services/policy/policy-service';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FOLDER = path.join(ROOT, 'packaging', 'policy');
const ADMX_NS = 'http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions';
const KEY = 'SOFTWARE\\Policies\\Mailroom';

/** Parses strictly: any warning or error of the parser fails the test. */
function parseXml(file: string): Document {
  const text = fs.readFileSync(path.join(FOLDER, file), 'utf8');
  const complaints: string[] = [];
  const parser = new DOMParser({
    locator: {},
    errorHandler: {
      warning: (m: string) => complaints.push(`warning: ${m}`),
      error: (m: string) => complaints.push(`error: ${m}`),
      fatalError: (m: string) => complaints.push(`fatal: ${m}`),
    },
  });
  const doc = parser.parseFromString(text, 'text/xml') as unknown as Document;
  expect(complaints, file).toEqual([]);
  return doc;
}

const elements = (node: Document | Element, name: string): Element[] => Array.from(node.getElementsByTagName(name)) as Element[];
const childElements = (node: Element): Element[] => Array.from(node.childNodes).filter((n): n is Element => n.nodeType === 1);

const admx = parseXml('mailroom.admx');
const adml = parseXml(path.join('en-US', 'mailroom.adml'));
const policies = elements(admx, 'policy');

/** Every value a policy writes: its own (on/off policies) and its elements'. */
function valuesOf(policy: Element): { valueName: string; element: Element }[] {
  const own = policy.getAttribute('valueName') ? [{ valueName: policy.getAttribute('valueName')!, element: policy }] : [];
  const inner = elements(policy, 'elements').flatMap((e) => childElements(e)).map((element) => ({ valueName: element.getAttribute('valueName') ?? '', element }));
  return [...own, ...inner];
}

describe('the Group Policy templates', () => {
  it('are well-formed policy definitions', () => {
    expect(admx.documentElement.localName).toBe('policyDefinitions');
    expect(admx.documentElement.namespaceURI).toBe(ADMX_NS);
    expect(adml.documentElement.localName).toBe('policyDefinitionResources');
    expect(adml.documentElement.namespaceURI).toBe(ADMX_NS);
    expect(policies.length).toBeGreaterThan(30);
  });

  it('write every value under SOFTWARE\\Policies\\Mailroom, for the computer and the user', () => {
    for (const policy of policies) {
      expect(policy.getAttribute('key'), policy.getAttribute('name')!).toBe(KEY);
      expect(policy.getAttribute('class'), policy.getAttribute('name')!).toBe('Both');
    }
  });

  it('name each value by a setting path the policy service accepts, with values it accepts', () => {
    for (const policy of policies) {
      const name = policy.getAttribute('name')!;
      const values = valuesOf(policy);
      expect(values, name).toHaveLength(1);
      for (const { valueName, element } of values) {
        if (valueName === 'smtp.profiles') {
          expect(element.localName, name).toBe('text');
          continue;
        }
        expect(unknownPathReason(valueName), `${name}: ${valueName}`).toBeUndefined();
        const tries: unknown[] =
          element.localName === 'policy'
            ? [1, 0]
            : element.localName === 'decimal'
              ? [Number(element.getAttribute('minValue')), Number(element.getAttribute('maxValue'))]
              : element.localName === 'enum'
                ? elements(element, 'string').map((s) => s.textContent)
                : [];
        if (element.localName === 'policy') {
          expect(elements(policy, 'enabledValue')[0]?.getElementsByTagName('decimal')[0]?.getAttribute('value'), name).toBe('1');
          expect(elements(policy, 'disabledValue')[0]?.getElementsByTagName('decimal')[0]?.getAttribute('value'), name).toBe('0');
        }
        for (const given of tries) expect(policyValue(valueName, given), `${name}: ${valueName} = ${String(given)}`).toMatchObject({ ok: true });
      }
    }
  });

  it('cover every setting a policy can set, and the organisation profile’s common fields', () => {
    const written = new Set(policies.flatMap((p) => valuesOf(p).map((v) => v.valueName)));
    for (const fixed of POLICY_PATHS.filter((p) => !p.includes('<id>'))) expect(written.has(fixed), fixed).toBe(true);
    for (const field of ['name', 'host', 'port', 'security', 'auth', 'username', 'fromName', 'fromAddress']) {
      expect(written.has(`smtp.profiles.organisation.${field}`), field).toBe(true);
    }
  });

  it('refer only to strings and presentations the ADML has, whose boxes are the policy’s elements', () => {
    const strings = new Set(elements(adml, 'string').map((s) => s.getAttribute('id')));
    const presentations = new Map(elements(adml, 'presentation').map((p) => [p.getAttribute('id'), p]));
    const text = fs.readFileSync(path.join(FOLDER, 'mailroom.admx'), 'utf8');
    const referenced = [...text.matchAll(/\$\(string\.([^)]+)\)/g)].map((m) => m[1]);
    expect(referenced.length).toBeGreaterThan(policies.length * 2);
    for (const id of referenced) expect(strings.has(id!), `string ${id}`).toBe(true);
    for (const policy of policies) {
      const ref = /^\$\(presentation\.(.+)\)$/.exec(policy.getAttribute('presentation') ?? '')?.[1];
      const ids = elements(policy, 'elements').flatMap((e) => childElements(e)).map((e) => e.getAttribute('id'));
      if (ids.length === 0) {
        expect(ref, policy.getAttribute('name')!).toBeUndefined();
        continue;
      }
      const presentation = presentations.get(ref ?? '');
      expect(presentation, `presentation ${ref}`).toBeDefined();
      expect(childElements(presentation!).map((box) => box.getAttribute('refId'))).toEqual(ids);
    }
    expect(new Set(elements(adml, 'string').map((s) => s.getAttribute('id'))).size).toBe(elements(adml, 'string').length);
  });

  it('sort the policies into General, Server profiles, Email and Office database under Mailroom', () => {
    const categories = new Map(elements(admx, 'category').map((c) => [c.getAttribute('name'), c]));
    const display = (name: string) => {
      const id = /^\$\(string\.(.+)\)$/.exec(categories.get(name)?.getAttribute('displayName') ?? '')?.[1];
      return elements(adml, 'string').find((s) => s.getAttribute('id') === id)?.textContent;
    };
    expect(['Mailroom', 'General', 'ServerProfiles', 'Email', 'OfficeDatabase'].map(display)).toEqual(['Mailroom', 'General', 'Server profiles', 'Email', 'Office database']);
    for (const policy of policies) {
      const parent = elements(policy, 'parentCategory')[0]?.getAttribute('ref');
      expect(categories.has(parent ?? ''), policy.getAttribute('name')!).toBe(true);
    }
  });
});

/** An XML property list as plain values. */
function plistValue(element: Element): unknown {
  switch (element.localName) {
    case 'dict': {
      const out: Record<string, unknown> = {};
      const children = childElements(element);
      for (let i = 0; i < children.length; i += 2) out[children[i]!.textContent ?? ''] = plistValue(children[i + 1]!);
      return out;
    }
    case 'array':
      return childElements(element).map(plistValue);
    case 'string':
      return element.textContent ?? '';
    case 'integer':
    case 'real':
      return Number(element.textContent);
    case 'true':
      return true;
    case 'false':
      return false;
    default:
      throw new Error(`Unexpected plist element ${element.localName}`);
  }
}

describe('the sample macOS configuration profile', () => {
  const appId = (parseYaml(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as { appId: string }).appId;

  it('is a plist of managed preferences for the app’s bundle id, whose keys are setting paths the policy service accepts', () => {
    const doc = parseXml(`${appId}.mobileconfig`);
    expect(doc.documentElement.localName).toBe('plist');
    const profile = plistValue(childElements(doc.documentElement)[0]!) as { PayloadType: string; PayloadContent: Record<string, unknown>[] };
    expect(profile.PayloadType).toBe('Configuration');
    const [payload] = profile.PayloadContent as { PayloadType: string; PayloadContent: Record<string, { Forced: { mcx_preference_settings: Record<string, unknown> }[] }> }[];
    expect(payload!.PayloadType).toBe('com.apple.ManagedClient.preferences');
    expect(Object.keys(payload!.PayloadContent)).toEqual([appId]);
    const settings = payload!.PayloadContent[appId]!.Forced[0]!.mcx_preference_settings;
    expect(Object.keys(settings).length).toBeGreaterThan(5);
    const policy = MachinePolicy.from([{ source: 'sample', found: true, values: settings, problems: [] }]);
    expect(policy.view().problems).toEqual([]);
    const locked = policy.entries.map((e) => e.path);
    for (const key of Object.keys(settings)) {
      expect(key === 'smtp.profiles' ? locked.some((p) => p.startsWith('smtp.profiles.head-office.')) : locked.includes(key), key).toBe(true);
    }
  });
});
