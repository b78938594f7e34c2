import { ConnectionException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { locatedError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log.js';

/*
 * What reaches the log: database errors without the statement MikroORM puts
 * in front of them (its values can be a learner's name or a sealed
 * credential), every other error as it is.
 */

function capture(format: 'text' | 'json') {
  const lines: string[] = [];
  return { logger: createLogger({ name: 'test', format, write: (line) => lines.push(line) }), lines };
}

describe('the logger', () => {
  it.each(['text', 'json'] as const)('keeps the statement and its values of a database error out of the %s log', (format) => {
    const { logger, lines } = capture(format);
    const failure = new UniqueConstraintViolationException(
      new Error(`insert into "issued_credential" ("learner_id", "jwt") values ('Aino Virtanen', 'eyJhbGciOi.secret.sig') - duplicate key value violates unique constraint "issued_credential_pkey"`),
    );
    logger.error('issuing failed', { error: failure });
    const text = lines.join('\n');
    expect(text).toContain('duplicate key value violates unique constraint');
    expect(text).toContain('statement withheld');
    expect(text).not.toContain('Aino');
    expect(text).not.toContain('eyJhbGciOi');
    expect(text).not.toContain('insert into');
  });

  it('withholds the statement of a database error wrapped in a GraphQL error, or nested in the fields', () => {
    const { logger, lines } = capture('json');
    const failure = new UniqueConstraintViolationException(new Error(`insert into "learner" ("name") values ('Aino Virtanen') - duplicate key value`));
    Object.assign(failure, { detail: 'Failing row contains (Aino Virtanen)' });
    // What Apollo's formatError hands on: a GraphQLError that copied the database error's message.
    logger.error('unexpected error', { error: locatedError(failure, undefined, ['learner']) });
    logger.error('job failed', { context: { attempt: 2, errors: [failure] }, at: new Date('2026-11-23T10:00:00Z') });
    const text = lines.join('\n');
    expect(text).not.toContain('Aino');
    expect(text).toContain('duplicate key value');
    // Other values in the fields are logged as before.
    expect(JSON.parse(lines[1] as string)).toMatchObject({ context: { attempt: 2 }, at: '2026-11-23T10:00:00.000Z' });
  });

  it('keeps the message of a database error that carries no statement', () => {
    const { logger, lines } = capture('text');
    logger.error('database down', { error: new ConnectionException(new Error('connect ECONNREFUSED 127.0.0.1:5432')) });
    expect(lines.join('\n')).toContain('ECONNREFUSED');
  });

  it('logs other errors with their message and stack', () => {
    const { logger, lines } = capture('json');
    logger.error('something broke', { error: new Error('the member router timed out') });
    const entry = JSON.parse(lines[0] as string) as { error: { message: string; stack: string } };
    expect(entry.error.message).toBe('the member router timed out');
    expect(entry.error.stack).toMatch(/at /);
  });
});
