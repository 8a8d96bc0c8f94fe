import { useEffect, useRef, type ReactNode } from "react";
import { useT } from "../i18n";

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  className?: string;
  /** The API's `sort` value for this column: its header becomes a sort button. */
  sortKey?: string;
  /** The order of a first click (dates: newest first). */
  firstOrder?: SortOrder;
}

export type SortOrder = "asc" | "desc";

/** The list's current order and how to change it (the API sorts: keyset pages stay exact). */
export interface SortState {
  key: string;
  order: SortOrder;
  onSort: (key: string, order: SortOrder) => void;
}

/** Checkboxes in a first column, with a select-all in its header (bulk actions). */
export interface Selection<T> {
  selected: ReadonlySet<string>;
  onChange: (selected: Set<string>) => void;
  /** The accessible name of a row's checkbox ("Select 9884DEMO…"). */
  rowLabel: (row: T) => string;
  allLabel: string;
  /** Rows that cannot be selected get no checkbox (all can by default). */
  selectable?: (row: T) => boolean;
}

interface Props<T> {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  /** Enter or click on a row (keyboard: rows are focusable). */
  onOpen?: (row: T) => void;
  selection?: Selection<T>;
  className?: string;
  sort?: SortState;
}

function SelectAll({ label, checked, mixed, disabled, onChange }: {
  label: string; checked: boolean; mixed: boolean; disabled: boolean; onChange: (on: boolean) => void;
}) {
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (box.current) box.current.indeterminate = mixed; // "some selected" (aria-checked=mixed)
  }, [mixed]);
  return (
    <input ref={box} type="checkbox" aria-label={label} checked={checked} disabled={disabled}
      onChange={(e) => onChange(e.target.checked)} />
  );
}

/** A sortable column's header: a button saying which order a click gives. */
function SortHeader({ header, sortKey, firstOrder = "asc", sort }: {
  header: string; sortKey: string; firstOrder?: SortOrder; sort: SortState;
}) {
  const t = useT();
  const active = sort.key === sortKey;
  const next: SortOrder = active ? (sort.order === "asc" ? "desc" : "asc") : firstOrder;
  return (
    <button type="button" className={`sort${active ? " active" : ""}`}
      title={t(next === "asc" ? "table.sort_asc" : "table.sort_desc", { column: header })}
      onClick={() => sort.onSort(sortKey, next)}>
      {header}
      {/* the arrow is drawn by CSS (::after): the header's text stays its name */}
      <span className={`sort-mark ${active ? sort.order : "none"}`} aria-hidden="true" />
    </button>
  );
}

const ARIA_SORT = { asc: "ascending", desc: "descending" } as const;

/** A plain accessible table; rows open with Enter or a click, arrows move between rows; with
 * `selection`, a checkbox per row and a select-all; with `sort`, the headers of columns with a
 * `sortKey` are buttons that sort (aria-sort on the sorted one). */
export function DataTable<T>({ caption, columns, rows, rowKey, onOpen, selection, className, sort }: Props<T>) {
  const move = (event: React.KeyboardEvent<HTMLTableRowElement>, row: T) => {
    if (event.target !== event.currentTarget) return; // keys in a checkbox or link are theirs
    const current = event.currentTarget;
    if (event.key === "Enter" && onOpen) {
      event.preventDefault();
      onOpen(row);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = event.key === "ArrowDown" ? current.nextElementSibling : current.previousElementSibling;
      (next as HTMLElement | null)?.focus();
    }
  };
  const selectableKeys = selection ? rows.filter((r) => selection.selectable?.(r) ?? true).map(rowKey) : [];
  const chosen = selectableKeys.filter((k) => selection?.selected.has(k)).length;
  const toggle = (key: string, on: boolean) => {
    if (!selection) return;
    const next = new Set(selection.selected);
    if (on) next.add(key);
    else next.delete(key);
    selection.onChange(next);
  };
  return (
    <div className="table-wrap">
      <table className={className}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {selection && (
              <th scope="col" className="select">
                <SelectAll label={selection.allLabel} checked={chosen > 0 && chosen === selectableKeys.length}
                  mixed={chosen > 0 && chosen < selectableKeys.length} disabled={selectableKeys.length === 0}
                  onChange={(on) => selection.onChange(new Set(on ? selectableKeys : []))} />
              </th>
            )}
            {columns.map((c) => (
              <th key={c.key} scope="col" className={c.className}
                aria-sort={sort && c.sortKey && sort.key === c.sortKey ? ARIA_SORT[sort.order] : undefined}>
                {sort && c.sortKey ? <SortHeader header={c.header} sortKey={c.sortKey} firstOrder={c.firstOrder} sort={sort} /> : c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const key = rowKey(row);
            return (
              <tr
                key={key}
                tabIndex={onOpen ? 0 : undefined}
                className={onOpen ? "clickable" : undefined}
                onClick={onOpen ? () => onOpen(row) : undefined}
                onKeyDown={onOpen ? (e) => move(e, row) : undefined}
              >
                {selection && (
                  <td className="select" onClick={(e) => e.stopPropagation()}>
                    {(selection.selectable?.(row) ?? true) && (
                      <input type="checkbox" aria-label={selection.rowLabel(row)} checked={selection.selected.has(key)}
                        onChange={(e) => toggle(key, e.target.checked)} />
                    )}
                  </td>
                )}
                {columns.map((c) => (
                  <td key={c.key} className={c.className}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
