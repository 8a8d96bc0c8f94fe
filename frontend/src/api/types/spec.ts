// The API's request and response shapes, generated from shared/api/openapi.json into
// src/api/schema.d.ts (`npm run gen:api`, run by `build` and `test`; not committed). Screens
// import named aliases from src/api/types/*.ts, so a change of the spec that a screen does not
// follow fails `tsc`.

import type { components, paths } from "../schema";

export type Schemas = components["schemas"];

/** A keyset page (`GET` lists): `next_cursor` is the `cursor` of the next page, null at the end. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** `values` exactly as given, checked against the union `T` (a spec enum): a value the spec does
 * not have, or one it has that is missing here, fails `tsc`. */
export function enumOf<T extends string>() {
  return <const A extends readonly T[]>(
    values: A & ([Exclude<T, A[number]>] extends [never] ? unknown : { missing: Exclude<T, A[number]> }),
  ): A => values;
}

// -- requests: a route of the spec, its path parameters and its body, typed from the spec -------

export type Method = "get" | "post" | "put" | "patch" | "delete";
/** The spec's routes that have `M`. */
export type RouteWith<M extends Method> = {
  [P in keyof paths]: paths[P] extends Record<M, unknown> ? P : never;
}[keyof paths];
type Operation<P extends keyof paths, M extends Method> = paths[P] extends Record<M, infer O> ? O : never;
/** The route's path parameters (`{}` when it has none). */
export type PathParams<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { parameters: { path: infer A } } ? A : Record<string, never>;
/** The JSON body the route takes (`undefined` when it takes none). */
export type RequestBody<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody: { content: { "application/json": infer B } } } ? B
    : Operation<P, M> extends { requestBody?: { content: { "application/json": infer B } } } ? B | undefined
      : undefined;
type Json<R> = R extends { content: { "application/json": infer T } } ? T : void;
/** The route's query parameters (`{}` when it has none). */
export type QueryOf<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : Record<string, never>;
type Success<R, C extends 200 | 201 | 202> = R extends { [K in C]: infer S } ? Json<S> : never;
/** What the route answers on success: every one of its 200, 201 and 202 shapes. A route held for
 * approval answers 200 (done) or 202 (`PendingApproval`, nothing done): the union makes a screen
 * that reads only the 200 shape fail `tsc` until it tells them apart (`isHeld`). */
export type ResponseOf<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { responses: infer R }
    ? [Success<R, 200> | Success<R, 201> | Success<R, 202>] extends [never] ? void
      : Success<R, 200> | Success<R, 201> | Success<R, 202>
    : never;

/** `route` with its `{name}` segments filled from `params`, each encoded. */
export function fillRoute(route: string, params: Record<string, string | number>): string {
  return route.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`${route}: no value for {${name}}`);
    return encodeURIComponent(String(params[name]));
  });
}
