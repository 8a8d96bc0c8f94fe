// The API's request and response shapes, generated from shared/api/openapi.json into
// src/api/schema.d.ts (`npm run gen:api`, run by `build` and `test`; not committed). Screens
// import named aliases from src/api/types/*.ts, so a change of the spec that a screen does not
// follow fails `tsc`.

import type { components } from "../schema";

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
