import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable, maskError } from '../../lib/errors.js';

/*
 * Which errors mean "the database is away for the moment" (lib/errors.ts): the
 * shapes below are the ones the services logged while PostgreSQL dropped and
 * refused their connections (test/operations/postgres-restart.test.ts), plus
 * the refusals of a server that is down or starting up. The others must stay
 * what they are: internal errors, not a reason to tell a client to retry.
 */

const error = (message: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(message), fields);

const unavailable: [string, unknown][] = [
  ['a raw knex query on a connection PostgreSQL terminated', error('select count(*) as "count" from "learning_opportunity" as "o" - terminating connection due to administrator command', { code: '57P01', severity: 'FATAL' })],
  ['a raw knex query whose connection died under it (no code)', error('select count(*) as "count" from "learning_opportunity" as "o" - Connection terminated unexpectedly')],
  ["MikroORM's wrapping of a database that refuses connections", error('database "hub_0123" is not currently accepting connections', { name: 'DriverException', code: '55000' })],
  ['a server starting up or shutting down', error('the database system is starting up', { code: '57P03' })],
  ['a server that is down', error('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED', syscall: 'connect' })],
  ['a pool that found no connection in time', error('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?', { name: 'KnexTimeoutError' })],
  ['a transaction whose BEGIN or COMMIT died with its connection', error('Transaction query already complete, run with DEBUG=knex:tx for more info', { name: 'DriverException' })],
  ["MikroORM's ConnectionException", error('Connection lost', { name: 'ConnectionException' })],
  ['any of these inside the GraphQLError a resolver threw', new GraphQLError('wrapped', { originalError: error('Connection terminated') })],
];

const other: [string, unknown][] = [
  ['a unique constraint violation', error('insert into "x" - duplicate key value violates unique constraint "x_pkey"', { code: '23505' })],
  ['a syntax error', error('select frm x - syntax error at or near "frm"', { code: '42601' })],
  ['another state error of class 55', error('currval of sequence "s" is not yet defined in this session', { code: '55000' })],
  ['a failed HTTP call to another service', new TypeError('fetch failed', { cause: error('connect ECONNREFUSED 127.0.0.1:4100', { code: 'ECONNREFUSED' }) })],
  ['a plain bug', new Error('boom')],
  ['not an error at all', 'boom'],
];

describe('a database that cannot be reached', () => {
  it.each(unavailable)('is recognised in %s', (_what, thrown) => {
    expect(isDatabaseUnavailable(thrown)).toBe(true);
  });

  it.each(other)('is not mistaken for %s', (_what, thrown) => {
    expect(isDatabaseUnavailable(thrown)).toBe(false);
  });

  it('reaches clients as SERVICE_UNAVAILABLE in words for people, and operators with the driver\'s own words', () => {
    const reported: unknown[] = [];
    const thrown = new GraphQLError('select 1 - terminating connection due to administrator command', {
      path: ['learner'],
      originalError: error('select 1 - terminating connection due to administrator command', { code: '57P01' }),
    });
    const masked = maskError({ message: thrown.message, path: ['learner'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }, thrown, { report: (original) => reported.push(original) });
    expect(masked).toEqual({ message: DATABASE_UNAVAILABLE_MESSAGE, path: ['learner'], extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(reported).toEqual([thrown]);
  });

  it('leaves a public error as it was, even if its words look alike', () => {
    const masked = maskError({ message: 'Connection terminated by the member.', extensions: { code: 'BAD_USER_INPUT' } }, new GraphQLError('Connection terminated by the member.'));
    expect(masked).toEqual({ message: 'Connection terminated by the member.', extensions: { code: 'BAD_USER_INPUT' } });
  });
});
