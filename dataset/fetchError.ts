// A failed HTTP fetch in one line of words (offline, DNS, refused, reset, timeout), shared by the two
// commands that touch the network (download-data, download-weights); `hint` says what to do instead.

/** The host of `url` (the URL itself when it does not parse). */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** The error code of a fetch failure (undici puts it on `cause`). */
export function fetchErrorCode(e: unknown): string | undefined {
  const cause = (e as { cause?: { code?: string } }).cause;
  return cause?.code ?? (e as { code?: string }).code;
}

/** Why a fetch of `url` failed, in words; `hint` follows "no network?" for the offline cases. */
export function describeFetchError(url: string, e: unknown, hint: string): string {
  const code = fetchErrorCode(e);
  const host = hostOf(url);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve ${host} (${code}): no network? ${hint}`;
  if (code !== undefined && UNREACHABLE.has(code)) return `cannot reach ${host} (${code}): no network? ${hint}`;
  if ((e as Error).name === 'TimeoutError') return `no answer from ${host} in time (timeout): no network? ${hint}`;
  const cause = (e as { cause?: { message?: string } }).cause;
  return `cannot download ${url}: ${cause?.message ?? (e as Error).message}`;
}
