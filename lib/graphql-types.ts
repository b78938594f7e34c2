// type-graphql's decorators read Reflect metadata; the polyfill must load before any decorated class.
import 'reflect-metadata';
import { Directive, Field, Int, ObjectType, type ClassType } from 'type-graphql';

/**
 * Relay-style page information. The same value type is served by several
 * subgraphs, hence `@shareable`.
 */
@Directive('@shareable')
@ObjectType({ description: 'Where a page sits in its list. Pages are forward-only: pass `endCursor` as `after`.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'True when the page was requested with `after`.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface EdgeShape<T> {
  cursor: string;
  node: T;
}

export interface ConnectionShape<T> {
  totalCount: number;
  edges: EdgeShape<T>[];
  nodes: T[];
  pageInfo: PageInfo;
}

/**
 * Makes `<Name>Connection` and `<Name>Edge` object types for a node type, so
 * every paginated list in the hub has the same shape:
 * `{ totalCount edges { cursor node } nodes pageInfo }`.
 */
export function connectionType<T extends object>(
  nodeType: ClassType<T>,
  name: string,
  options: { shareable?: boolean } = {},
): ClassType<ConnectionShape<T>> {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String, { description: 'Opaque cursor of this item; pass it as `after` to continue after it.' })
    cursor!: string;

    @Field(() => nodeType)
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items.` })
  class Connection {
    @Field(() => Int, { description: 'Number of items in the whole list (all pages).' })
    totalCount!: number;

    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [nodeType], { description: 'The items of this page (the same as `edges.node`).' })
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }

  if (options.shareable) {
    Directive('@shareable')(Edge);
    Directive('@shareable')(Connection);
  }
  return Connection;
}
