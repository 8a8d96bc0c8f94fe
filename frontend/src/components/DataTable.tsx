import { useEffect, useRef, type ReactNode } from "react";

export interface Column<T> {
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  className?: string;
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

/** A plain accessible table; rows open with Enter or a click, arrows move between rows; with
 * `selection`, a checkbox per row and a select-all. */
export function DataTable<T>({ caption, columns, rows, rowKey, onOpen, selection, className }: Props<T>) {
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
              <th key={c.key} scope="col">
                {c.header}
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
