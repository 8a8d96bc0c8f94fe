/** A JSON value, collapsed behind a summary (audit rows, alert details, activation results can be large). */
export function JsonView({ summary, value }: { summary: string; value: unknown }) {
  return (
    <details className="json">
      <summary>{summary}</summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
