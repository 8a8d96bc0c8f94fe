import type { SortState } from "../DataTable";
import { href, navigate } from "../../router";

type Order = "asc" | "desc";

/** A list's order kept in the URL (`sort`, `order`), as the trades list keeps its own: an unknown
 * value falls back to the default; the default is left out of the URL. `query` is what the API
 * is sent (spread into the list's query); `state` drives DataTable's sortable headers. */
export function useListSort<S extends string>(
  path: string, params: URLSearchParams, sorts: readonly S[], fallback: S,
  filters: Record<string, string | string[] | undefined>,
): { query: { sort: S; order: Order }; state: SortState } {
  const asked = params.get("sort") ?? "";
  const sort = (sorts as readonly string[]).includes(asked) ? (asked as S) : fallback;
  const rawOrder = params.get("order");
  const order: Order = rawOrder === "asc" || rawOrder === "desc" ? rawOrder : "desc";
  const go = (key: string, next: Order) =>
    navigate(href(path, { ...filters, ...(key === fallback && next === "desc" ? {} : { sort: key, order: next }) }));
  return { query: { sort, order }, state: { key: sort, order, onSort: go } };
}

/** The sort and order in the URL, for a list's filter form to keep when it applies new filters. */
export function sortParams(params: URLSearchParams): Record<string, string | undefined> {
  return { sort: params.get("sort") ?? undefined, order: params.get("order") ?? undefined };
}
