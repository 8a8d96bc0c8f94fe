import { useI18n } from "../../i18n";
import type { PagedList } from "./usePagedList";

/** "50 of 201" (or "n shown" when the API gives no total) and "Load more" while the API has a
 * next page; "End of list" after the last. Nothing while the first page is still loading: no
 * "0 shown" beside "Loading…". */
export function Pager({ count, hasMore, loading, onMore, total, capped = false }: {
  count: number;
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
  /** The whole selection's size; with `capped`, at least that many ("10,000+"). */
  total?: number | null;
  capped?: boolean;
}) {
  const { t } = useI18n();
  if (loading && count === 0) return null;
  return (
    <p className="pager" aria-live="polite">
      <CountOf count={count} total={total} capped={capped} />{" "}
      {hasMore ? (
        <button type="button" disabled={loading} onClick={onMore}>
          {t("list.more")}
        </button>
      ) : (
        !loading && count > 0 && <span className="muted">{t("list.end")}</span>
      )}
    </p>
  );
}

/** The pager of a `usePagedList` list: its count, the API's total ("50 of 201") and "Load more". */
export function ListPager({ list }: {
  list: Pick<PagedList<unknown>, "rows" | "cursor" | "loading" | "loadMore" | "total" | "capped">;
}) {
  return (
    <Pager count={list.rows.length} hasMore={!!list.cursor} loading={list.loading} onMore={list.loadMore}
      total={list.total} capped={list.capped} />
  );
}

/** "50 of 201" ("50 of 10,000+" past the cap), or "50 shown" without a total. */
export function CountOf({ count, total, capped = false }: { count: number; total?: number | null; capped?: boolean }) {
  const { t, lang } = useI18n();
  const number = (n: number) => n.toLocaleString(lang === "ko" ? "ko-KR" : "en-US");
  return total == null
    ? <>{t("list.count", { n: number(count) })}</>
    : <>{t(capped ? "list.count_of_more" : "list.count_of", { n: number(count), total: number(total) })}</>;
}
