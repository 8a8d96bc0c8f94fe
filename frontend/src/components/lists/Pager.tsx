import { useT } from "../../i18n";

/** "n shown" and "Load more" while the API has a next page; "End of list" after the last. */
export function Pager({ count, hasMore, loading, onMore }: {
  count: number;
  hasMore: boolean;
  loading: boolean;
  onMore: () => void;
}) {
  const t = useT();
  return (
    <p className="pager" aria-live="polite">
      {t("list.count", { n: count })}{" "}
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
