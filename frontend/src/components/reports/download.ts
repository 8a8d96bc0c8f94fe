/** Starts a browser download of a presigned URL. The object store answers it with
 * `Content-Disposition: attachment`, so the console stays where it is. */
export function startDownload(url: string, fileName: string): void {
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName; // honoured same-origin only; the presigned answer names the file anyway
  link.rel = "noopener";
  link.style.display = "none";
  document.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
  }
}
