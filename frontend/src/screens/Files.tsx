import { useEffect, useMemo, useRef, useState, type DragEvent } from "react";
import { ApiError } from "../api/client";
import { canMutate, useApi, useMe } from "../api/context";
import { useLoad } from "../api/hooks";
import { enumOf, type QueryOf, type Schemas } from "../api/types/spec";
import { DataTable, type Column } from "../components/DataTable";
import { codeLabel } from "../components/lists/labels";
import { useListSort } from "../components/lists/listSort";
import { ListPager } from "../components/lists/Pager";
import { usePagedList } from "../components/lists/usePagedList";
import { Empty, Loading, ProblemBox } from "../components/States";
import { Time } from "../components/Time";
import { todayRange, userZone } from "../format";
import { useT } from "../i18n";
import { href } from "../router";

// GET /api/files, POST /api/uploads
type FileRow = Schemas["IngestFile"];
type FilesQuery = QueryOf<"/api/files", "get">;
const FILE_SORTS = enumOf<NonNullable<FilesQuery["sort"]>>()(["received_at", "object_key", "status"]);
type Upload = Pick<Schemas["UploadUrl"], "method" | "url" | "headers">;

/** PUT with progress: fetch has no upload progress, XMLHttpRequest does. */
function put(target: Upload, file: File, onProgress: (pct: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.url);
    for (const [k, v] of Object.entries(target.headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve()
        : reject(new ApiError(xhr.status, "Upload refused by the object store", xhr.responseText.slice(0, 500), null));
    xhr.onerror = () => reject(new ApiError(0, "Upload failed", `PUT to the object store did not complete`, null));
    xhr.send(file);
  });
}

function Uploader({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const t = useT();
  const [progress, setProgress] = useState<{ name: string; pct: number } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const upload = async (file: File) => {
    setError(null);
    setDone(null);
    setProgress({ name: file.name, pct: 0 });
    try {
      const target = await api.call("post", "/api/uploads", {}, {
        file_name: file.name, size: file.size, content_type: file.type || "text/csv",
      });
      await put(target, file, (pct) => setProgress({ name: file.name, pct }));
      setDone(file.name);
      onDone();
    } catch (exc) {
      setError(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
    } finally {
      setProgress(null);
    }
  };
  const drop = (e: DragEvent) => {
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    if (file) void upload(file);
  };
  return (
    <section aria-labelledby="upload-title" className="upload" onDragOver={(e) => e.preventDefault()} onDrop={drop}>
      <h2 id="upload-title">{t("files.upload")}</h2>
      <label htmlFor="upload-file">{t("files.choose")}</label>
      <input id="upload-file" type="file" accept=".csv,.txt,.jsonl,.ndjson,.xml,.fpml"
        onChange={(e) => e.target.files?.[0] && upload(e.target.files[0])} disabled={!!progress} />
      {progress && (
        <p role="status">
          {t("files.uploading", { name: progress.name, pct: progress.pct })}{" "}
          <progress max={100} value={progress.pct} aria-label={progress.name} />
        </p>
      )}
      {done && <p role="status" className="ok">{t("files.uploaded", { name: done })}</p>}
      {error && <ProblemBox error={error} />}
    </section>
  );
}

/** "parsed 3 · event 12": counts by code, each code's name translated. */
function byState(t: ReturnType<typeof useT>, group: string, counts: Record<string, number>): string {
  return Object.entries(counts).map(([s, n]) => `${codeLabel(t, group, s)} ${n}`).join(" · ") || "—";
}

/** The parse errors of a file, linking to the errors screen's parse group of that file. */
function ParseErrors({ file }: { file: FileRow }) {
  const t = useT();
  if (!file.parse_errors) return <>0</>;
  return (
    // the visible number starts the accessible name (axe: label-content-name-mismatch)
    <a href={href("/errors", { kind: "parse", key: file.id })}>
      {file.parse_errors}<span className="sr-only"> ({t("files.open_parse_errors", { n: file.parse_errors })})</span>
    </a>
  );
}

/** One file's rows by state and what they became (GET /api/files/{file_id}). */
function FileDetail({ id, name, onClose }: { id: string; name: string; onClose: () => void }) {
  const t = useT();
  const file = useLoad<FileRow>(`file:${id}`, (api) => api.read("/api/files/{file_id}", { file_id: id }));
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [id]); // the opened detail takes the focus
  const f = file.data;
  return (
    <section aria-labelledby="file-detail-title" className="file-detail">
      <h2 id="file-detail-title" tabIndex={-1} ref={heading}>{t("files.detail_title", { name })}</h2>
      {file.error ? <ProblemBox error={file.error} onRetry={file.reload} /> : !f ? <Loading /> : (
        <dl className="figures">
          <div><dt>{t("files.status")}</dt><dd>{codeLabel(t, "file_status", f.status)}</dd></div>
          <div><dt>{t("files.rows")}</dt><dd>{f.row_count ?? "—"}</dd></div>
          <div><dt>{t("files.rows_by_state")}</dt><dd data-testid="detail-rows">{byState(t, "row_state", f.rows_by_state)}</dd></div>
          <div><dt>{t("files.events")}</dt><dd data-testid="detail-events">{byState(t, "state", f.events_by_state)}</dd></div>
          <div><dt>{t("files.duplicates")}</dt><dd>{f.duplicates}</dd></div>
          <div><dt>{t("files.parse_errors")}</dt><dd><ParseErrors file={f} /></dd></div>
        </dl>
      )}
      <p className="muted">{t("files.events_note")}</p>
      <button type="button" onClick={onClose}>{t("files.close")}</button>
    </section>
  );
}

/** Ingested files, newest first (or by name or status: the order in the URL), paged. */
export default function Files({ params = new URLSearchParams() }: { params?: URLSearchParams }) {
  const t = useT();
  const { user } = useMe();
  const [open, setOpen] = useState<FileRow | null>(null);
  // `received=today`: the files the dashboard's "today" tiles count (its parse-error tile links here)
  const today = params.get("received") === "today";
  const sort = useListSort("/files", params, FILE_SORTS, "received_at", { received: today ? "today" : undefined });
  const range = useMemo(() => (today ? todayRange() : {}), [today]);
  const files = usePagedList<FileRow>("/api/files", { ...sort.query, ...range });
  const columns: Column<FileRow>[] = [
    { key: "name", header: t("files.name"), sortKey: "object_key", render: (f) => <code>{f.object_key}</code> },
    { key: "status", header: t("files.status"), sortKey: "status", render: (f) => <span className={`badge file-${f.status}`}>{codeLabel(t, "file_status", f.status)}</span> },
    { key: "rows", header: t("files.rows"), render: (f) => f.row_count ?? "—" },
    { key: "events", header: t("files.events"), render: (f) => byState(t, "state", f.events_by_state) },
    { key: "duplicates", header: t("files.duplicates"), render: (f) => f.duplicates },
    { key: "parse_errors", header: t("files.parse_errors"), render: (f) => <ParseErrors file={f} /> },
    { key: "reason", header: t("files.reason"), render: (f) => f.reject_reason ?? "" },
    { key: "received", header: t("files.received"), sortKey: "received_at", firstOrder: "desc", render: (f) => <Time value={f.received_at} /> },
    { key: "detail", header: t("files.details_short"), render: (f) => (
      <button type="button" id={`file-detail-${f.id}`} onClick={() => setOpen(f)} aria-label={t("files.details", { name: f.object_key })}
        aria-expanded={open?.id === f.id}>{t("files.details_short")}</button>
    ) },
  ];
  return (
    <section aria-labelledby="files-title">
      <h1 id="files-title">{t("files.title")}</h1>
      {canMutate(user) && <Uploader onDone={files.refresh} />}
      {today && (
        <p className="muted" role="status">
          {t("files.today_only", { zone: userZone() })} <a href={href("/files")}>{t("files.all")}</a>
        </p>
      )}
      {files.error && <ProblemBox error={files.error} onRetry={files.retry} />}
      {files.rows.length > 0 && (
        <DataTable caption={t("files.title")} columns={columns} rows={files.rows} rowKey={(f) => f.id} sort={sort.state} />
      )}
      {files.loading ? <Loading /> : !files.error && files.rows.length === 0 && <Empty />}
      <ListPager list={files} />
      {open && <FileDetail key={open.id} id={open.id} name={open.object_key} onClose={() => {
        setOpen(null); // focus back on the row's button it was opened from
        requestAnimationFrame(() => document.getElementById(`file-detail-${open.id}`)?.focus());
      }} />}
    </section>
  );
}
