import { GraphQLError } from 'graphql';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLIANCE_MEMBERS } from '../../hub/alliance.js';
import { ConfigError } from '../../lib/config.js';
import { maskError, scrubMessage } from '../../lib/errors.js';
import { parseGlobalId, requireGlobalId } from '../../lib/ids.js';
import { compareBytes, compareSortKeys, decodeCursor, encodeCursor, keysetCondition, pageSize, parseCursor } from '../../lib/pagination.js';
import { REPO_ROOT } from '../../lib/paths.js';
import { foldText } from '../../lib/text.js';
import { attachErrors, NULL_CAUSES, type ForwardedObject } from '../../subgraphs/members/forward.js';
import { parseRegistry, readRegistryFile } from '../../subgraphs/members/registry.js';

describe('the member registry', () => {
  it('loads the embedded default with all 13 members, in the alliance order', () => {
    const registry = readRegistryFile(join(REPO_ROOT, 'config', 'members.json'));
    expect(registry.members.map((member) => member.id)).toEqual(ALLIANCE_MEMBERS.map((member) => member.id));
    expect(registry.get('tuni.fi')).toMatchObject({ name: 'Tampere University', timeoutMs: 2000 });
  });

  it.each([
    [{ members: [] }, '"members" must be a non-empty list.'],
    [{ members: [{ id: 'Not A Domain', name: 'x', endpoint: 'http://a/graphql' }] }, 'members[0].id must be'],
    [{ members: [{ id: 'a.org', name: ' ', endpoint: 'http://a/graphql' }] }, 'members[0].name must be'],
    [{ members: [{ id: 'a.org', name: 'A', endpoint: 'ftp://a/graphql' }] }, 'members[0].endpoint must use http or https.'],
    [{ members: [{ id: 'a.org', name: 'A', endpoint: 'nowhere' }] }, 'members[0].endpoint must be an absolute http(s) URL.'],
    [{ members: [{ id: 'a.org', name: 'A', endpoint: 'http://a/graphql', timeoutMs: 5 }] }, 'members[0].timeoutMs must be an integer from 50 to 120000.'],
    [{ members: [{ id: 'a.org', name: 'A', endpoint: 'http://a/graphql' }, { id: 'a.org', name: 'B', endpoint: 'http://b/graphql' }] }, 'member "a.org" is listed twice.'],
  ])('rejects %j with a message naming the problem', (document, message) => {
    expect(() => parseRegistry(document, 'test.json')).toThrow(ConfigError);
    expect(() => parseRegistry(document, 'test.json')).toThrow(message);
  });
});

describe('global ids', () => {
  it('names the owning member', () => {
    expect(parseGlobalId('tuni.fi:mm-204')).toEqual({ memberId: 'tuni.fi', localId: 'mm-204' });
    expect(parseGlobalId('groupe-insa.fr:ach-1a2b-3')).toEqual({ memberId: 'groupe-insa.fr', localId: 'ach-1a2b-3' });
  });

  it.each(['mm-204', ':mm-204', 'tuni.fi:', 'TUNI.FI:mm-1', "tuni.fi:1' or '1'='1", 'localhost:mm-1'])('refuses %s', (id) => {
    expect(parseGlobalId(id)).toBeUndefined();
    expect(() => requireGlobalId(id)).toThrow('<member id>:<local id>');
  });
});

describe('keyset cursors', () => {
  it('round-trip and are readable by any member', () => {
    const cursor = encodeCursor('TITLE', ['urban sustainability transitions', 'tuni.fi:co-300']);
    expect(decodeCursor(cursor, 'TITLE', ['string', 'string'])).toEqual(['urban sustainability transitions', 'tuni.fi:co-300']);
    expect(parseCursor(cursor)).toEqual({ order: 'TITLE', values: ['urban sustainability transitions', 'tuni.fi:co-300'] });
  });

  it('are refused for another order, another arity or garbage', () => {
    const cursor = encodeCursor('TITLE', ['a', 'b']);
    expect(() => decodeCursor(cursor, 'START_DATE', ['string', 'string'])).toThrow('not valid for this list');
    expect(() => decodeCursor(cursor, 'TITLE', ['string', 'string', 'string'])).toThrow('not valid for this list');
    expect(() => decodeCursor('%%%', 'TITLE', ['string', 'string'])).toThrow('not valid for this list');
    expect(parseCursor(Buffer.from('{"a":1}').toString('base64url'))).toBeUndefined();
    const tampered = encodeCursor('RELEVANCE', ['abc', 'title', 'a.org:1']);
    expect(() => decodeCursor(tampered, 'RELEVANCE', [{ integerFrom: 0, to: 2 }, 'string', 'string'])).toThrow('not valid for this list');
    const outOfRange = encodeCursor('RELEVANCE', [7, 'title', 'a.org:1']);
    expect(() => decodeCursor(outOfRange, 'RELEVANCE', [{ integerFrom: 0, to: 2 }, 'string', 'string'])).toThrow('not valid for this list');
  });

  it('order like byte-wise SQL collation, numbers numerically', () => {
    expect(compareBytes('Z', 'a')).toBeLessThan(0);
    expect(compareBytes('z', 'é')).toBeLessThan(0);
    expect(compareBytes('\uffff', '😀')).toBeLessThan(0);
    expect(compareSortKeys([2, 'a'], [10, 'a'])).toBeLessThan(0);
    expect(compareSortKeys([1, 'b', 'x'], [1, 'b', 'y'])).toBeLessThan(0);
  });

  it('compare strings exactly as UTF-8 bytes compare', () => {
    const samples = ['', 'a', 'Z', 'é', 'z', '\uffff', '😀', 'ab', 'a😀', 'a\uffff', 'ä', 'aa', '中', '\u0000'];
    for (const x of samples) {
      for (const y of samples) {
        expect(Math.sign(compareBytes(x, y)), `${x} vs ${y}`).toBe(Math.sign(Buffer.compare(Buffer.from(x), Buffer.from(y))));
      }
    }
  });

  it('build a portable "after this key" condition', () => {
    expect(keysetCondition(['a', 'b'], [1, 'x'])).toEqual({ sql: '((a > ?) or (a = ? and b > ?))', params: [1, 1, 'x'] });
  });

  it('limit page sizes with a message naming the argument', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(0)).toBe(0);
    expect(() => pageSize(101)).toThrow('"first" must be an integer from 0 to 100; got 101.');
    expect(() => pageSize(-1)).toThrow('"first"');
  });
});

describe('text folding', () => {
  it('ignores case, accents and extra spaces', () => {
    expect(foldText('  Kestävä   KAUPUNKI ')).toBe('kestava kaupunki');
    expect(foldText('Universitat Autònoma')).toBe('universitat autonoma');
  });
});

describe('masking errors', () => {
  it('keeps public errors with addresses scrubbed, and hides everything else', () => {
    const publicError = maskError(
      { message: 'Bad id near http://10.0.0.3:4101/graphql', extensions: { code: 'BAD_USER_INPUT', argument: 'id', stacktrace: ['x'] } },
      new GraphQLError('x'),
    );
    expect(publicError).toEqual({ message: 'Bad id near [address]', extensions: { code: 'BAD_USER_INPUT', argument: 'id' } });
    const reported: unknown[] = [];
    const internal = maskError({ message: 'select * from learner_account where …', path: ['a'] }, new Error('db'), { report: (error) => reported.push(error) });
    expect(internal).toEqual({ message: 'Internal server error.', path: ['a'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(reported).toHaveLength(1);
    expect(scrubMessage('at 127.0.0.1:5432 and localhost:4000')).toBe('at [address] and [address]');
  });
});

describe('attaching member errors', () => {
  it('puts each error on the object whose field it made null, and returns the rest', () => {
    const data = { offering: { id: 'a.org:1', institution: null }, list: [null] } as Record<string, unknown>;
    const toError = (error: { message: string }) => new GraphQLError(error.message);
    const unattached = attachErrors(
      data,
      [
        { message: 'institution failed', path: ['offering', 'institution', 'name'] },
        { message: 'list item failed', path: ['list', 0] },
        { message: 'no path' },
      ],
      toError,
    );
    expect((data['offering'] as ForwardedObject)[NULL_CAUSES]?.get('institution')?.message).toBe('institution failed');
    expect(unattached.map((error) => error.message)).toEqual(['list item failed', 'no path']);
  });
});
