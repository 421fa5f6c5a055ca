// Rows as a table: values shown as JSON where they are not plain strings (null, numbers, blobs as the API encodes them).

export function ResultTable({ columns, rows, label }: { columns: string[]; rows: unknown[][]; label: string }) {
  return (
    <div class="table-wrap">
      <table class="result">
        <caption class="visually-hidden">{label}</caption>
        <thead><tr>{columns.map((c) => <th key={c} scope="col">{c}</th>)}</tr></thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>{row.map((v, j) => <td key={j} class={typeof v === "number" ? "num" : undefined}>{typeof v === "string" ? v : JSON.stringify(v)}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
