// The XML reader for autoconfig files fetched from strangers, and what Mailroom reads from such a
// file: well-formed documents in, every trick to expand entities or exhaust memory refused.
import { describe, expect, it } from 'vitest';
import { AutoconfigError, fillPlaceholders, readAutoconfig } from '../../../main/services/mail/detect/autoconfig';
import { childText, readXml, XmlError } from '../../../main/services/mail/detect/xml-reader';

describe('readXml', () => {
  it('reads elements, attributes, text, CDATA, comments and the predefined entities', () => {
    const root = readXml(`\ufeff<?xml version="1.0"?>
<!-- a comment -->
<a x="1" y='two &amp; &quot;three&quot;'>
  <b>&lt;tag&gt; &#65;&#x42;</b><c/><d><![CDATA[<not>&parsed;]]></d>
</a>`);
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual({ x: '1', y: 'two & "three"' });
    expect(root.children.map((c) => c.name)).toEqual(['b', 'c', 'd']);
    expect(childText(root, 'b')).toBe('<tag> AB');
    expect(childText(root, 'd')).toBe('<not>&parsed;');
  });

  it('refuses a DOCTYPE, so no entity is ever declared', () => {
    expect(() => readXml('<!DOCTYPE a [<!ENTITY x "xxxxxxxx">]><a>&x;</a>')).toThrow(/DOCTYPE or other declaration is not accepted/);
    expect(() => readXml('<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>')).toThrow(XmlError);
  });

  it('refuses entities it does not know, and a bare ampersand', () => {
    expect(() => readXml('<a>&lol;</a>')).toThrow(/Unknown entity &lol;/);
    expect(() => readXml('<a>fish & chips</a>')).toThrow(/An & that starts no entity/);
    expect(() => readXml('<a>&#xD800;</a>')).toThrow(/Not a character reference/);
  });

  it('says where a document is not well formed', () => {
    expect(() => readXml('<a><b></a>')).toThrow(/<\/a> does not match <b>/);
    expect(() => readXml('<a>')).toThrow(/<a> is never closed/);
    expect(() => readXml('<a/><b/>')).toThrow(/A second root element/);
    expect(() => readXml('text<a/>')).toThrow(/Text outside the root element/);
    expect(() => readXml('<a x=1/>')).toThrow(/Expected a quoted value for x/);
    expect(() => readXml('<a x="1" x="2"/>')).toThrow(/x is given twice/);
    expect(() => readXml('<a><!-- never closed</a>')).toThrow(/A comment never ends/);
    expect(() => readXml('')).toThrow(/No root element/);
  });

  it('bounds depth and element count without recursing', () => {
    expect(() => readXml('<a>'.repeat(40) + '</a>'.repeat(40))).toThrow(/Nested deeper than 32 elements/);
    expect(() => readXml(`<a>${'<b/>'.repeat(10_001)}</a>`)).toThrow(/More than 10000 elements/);
    expect(readXml(`<a>${'<b/>'.repeat(9_000)}</a>`).children).toHaveLength(9_000);
  });
});

const config = (outgoing: string) => `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.com">
    <displayName>Example Mail</displayName>
    <incomingServer type="imap"><hostname>imap.example.com</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
    ${outgoing}
  </emailProvider>
</clientConfig>`;

describe('readAutoconfig', () => {
  it('fills %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN%', () => {
    expect(fillPlaceholders('%EMAILLOCALPART%+x@%EMAILDOMAIN% (%EMAILADDRESS%)', 'ada.l@example.com')).toBe('ada.l+x@example.com (ada.l@example.com)');
    const server = readAutoconfig(
      config('<outgoingServer type="smtp"><hostname>smtp.%EMAILDOMAIN%</hostname><port>587</port><socketType>STARTTLS</socketType><authentication>password-cleartext</authentication><username>%EMAILLOCALPART%</username></outgoingServer>'),
      'ada@example.com',
    );
    expect(server).toMatchObject({ displayName: 'Example Mail', host: 'smtp.example.com', port: 587, security: 'starttls-required', auth: 'required', authModel: 'basic', username: 'ada', usernameTemplate: '%EMAILLOCALPART%' });
  });

  it.each([
    ['SSL', 'tls'],
    ['STARTTLS', 'starttls-required'],
    ['plain', 'none'],
  ])('maps socketType %s to %s', (socketType, security) => {
    expect(readAutoconfig(config(`<outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>25</port><socketType>${socketType}</socketType></outgoingServer>`), 'a@example.com').security).toBe(security);
  });

  it('warns when a password would cross the network in the clear', () => {
    const server = readAutoconfig(config('<outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>25</port><socketType>plain</socketType><authentication>password-cleartext</authentication></outgoingServer>'), 'a@example.com');
    expect(server.notes.join(' ')).toContain('without encryption');
  });

  it('takes the first usable SMTP server, skipping unusable ones and other types', () => {
    const server = readAutoconfig(
      config(`
        <outgoingServer type="exchange"><hostname>ews.example.com</hostname><port>443</port><socketType>SSL</socketType></outgoingServer>
        <outgoingServer type="smtp"><hostname>bad host</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
        <outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>99999</port><socketType>SSL</socketType></outgoingServer>
        <outgoingServer type="smtp"><hostname>smtp2.example.com</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>`),
      'a@example.com',
    );
    expect(server).toMatchObject({ host: 'smtp2.example.com', port: 465, security: 'tls', username: 'a@example.com' });
  });

  it('signs in to Microsoft with OAuth2, and elsewhere says OAuth2 is Microsoft only', () => {
    const microsoft = readAutoconfig(config('<outgoingServer type="smtp"><hostname>smtp.office365.com</hostname><port>587</port><socketType>STARTTLS</socketType><authentication>OAuth2</authentication><authentication>password-cleartext</authentication></outgoingServer>'), 'a@contoso.com');
    expect(microsoft).toMatchObject({ authModel: 'oauth2', auth: 'required' });
    const other = readAutoconfig(config('<outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>465</port><socketType>SSL</socketType><authentication>OAuth2</authentication></outgoingServer>'), 'a@example.com');
    expect(other).toMatchObject({ authModel: 'basic' });
    expect(other.notes.join(' ')).toContain('Microsoft 365 only');
    const relay = readAutoconfig(config('<outgoingServer type="smtp"><hostname>relay.example.com</hostname><port>25</port><socketType>STARTTLS</socketType><authentication>client-IP-address</authentication></outgoingServer>'), 'a@example.com');
    expect(relay.auth).toBe('none');
  });

  it('refuses documents that are not autoconfig files, or name no SMTP server', () => {
    expect(() => readAutoconfig('<html><body>Not here</body></html>', 'a@example.com')).toThrow(/its root is <html>, not <clientConfig>/);
    expect(() => readAutoconfig(config(''), 'a@example.com')).toThrow(/names no outgoing SMTP server/);
    expect(() => readAutoconfig(config('<outgoingServer type="smtp"><hostname>smtp.example.com</hostname><port>465</port><socketType>TLS1.3</socketType></outgoingServer>'), 'a@example.com')).toThrow(AutoconfigError);
  });
});
