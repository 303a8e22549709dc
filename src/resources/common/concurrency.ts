// Writes that depend on what was read are made on that read's version. A row carries an ETag
// (`@odata.etag`, its row version); a write sent with `If-Match: <etag>` is refused with 412 when
// someone else changed the row since it was read, so iom-gitops never writes over a change it did
// not see. What a kind does with the refusal is its choice, said where it calls withReread():
// read again and decide again, or stop with a message that names the record.
import {
  PreconditionFailedError,
  UnexpectedResponseError,
  etagOf,
  queryString,
  recordPath,
  type DataverseClient,
  type DataverseRecord,
} from "../../dataverse/index.js";

/** The ETag of a row that will be written on its version; a row read without one is an error. */
export function versionOf(row: DataverseRecord, what: string): string {
  return requireVersion(etagOf(row), what);
}

export function requireVersion(etag: string | undefined, what: string): string {
  if (etag === undefined)
    throw new UnexpectedResponseError(`${what} was read without an ETag (@odata.etag)`, {
      hint: "iom-gitops writes a row only on the version it read; Dataverse sends one with every row, so report the request if this persists.",
    });
  return etag;
}

/**
 * Updates a row only if it still has `etag`, and returns the ETag it has afterwards, so that the
 * next write of the same sequence (unpublish, edit, publish again) is conditional as well. The row
 * comes back with the answer (Prefer: return=representation, its id column alone): one request,
 * as a plain update.
 */
export async function updateIfUnchanged(
  client: DataverseClient,
  entitySet: string,
  id: string,
  idColumn: string,
  body: DataverseRecord,
  etag: string,
): Promise<string> {
  const path = `${recordPath(entitySet, id)}?${queryString({ select: [idColumn] })}`;
  const response = await client.request<DataverseRecord | undefined>({
    method: "PATCH",
    path,
    accept: [200],
    body,
    headers: { "If-Match": etag, Prefer: "return=representation" },
  });
  const next = (response.body && etagOf(response.body)) ?? response.headers.get("etag") ?? undefined;
  if (next === undefined)
    throw new UnexpectedResponseError("the updated row came back without its ETag", {
      method: "PATCH",
      path,
      status: response.status,
      requestId: response.requestId,
    });
  return next;
}

/** Whether a write was refused because the row is no longer the version it was made on. */
export function isStale(error: unknown): error is PreconditionFailedError {
  return error instanceof PreconditionFailedError;
}

/**
 * The error for a record someone else changed between iom-gitops's read and its write: it names
 * the record, says nothing was written over, and tells the user how to see the change.
 */
export function changedMeanwhile(
  record: string,
  cause: PreconditionFailedError,
  how: {
    readAgain?: boolean;
    /** What our own earlier writes left, when the user must know. */ left?: string;
  } = {},
): PreconditionFailedError {
  return new PreconditionFailedError(
    `${record} was changed by someone else between iom-gitops's read and its write` +
      (how.readAgain ? ", and again after it was read anew" : "") +
      "; that change was not written over" +
      (how.left ? `. ${how.left}` : ""),
    {
      status: cause.status ?? 412,
      ...(cause.dataverseCode ? { dataverseCode: cause.dataverseCode } : {}),
      ...(cause.method ? { method: cause.method } : {}),
      ...(cause.path ? { path: cause.path } : {}),
      ...(cause.requestId ? { requestId: cause.requestId } : {}),
      hint: "Run `pulumi refresh` to read it as it is now, look at the difference with `pulumi preview --diff`, then run `pulumi up` again.",
    },
  );
}

/**
 * Runs `apply` (read, decide, write on the read's ETags) and, when a write meets a newer version,
 * once more: `apply(1)` reads again and decides on what is there now. Once is enough for someone
 * who saved a change at the wrong moment; a second refusal means the record is being changed
 * under us, and the user hears about it instead of a loop.
 */
export async function withReread<T>(record: string, apply: (attempt: 0 | 1) => Promise<T>): Promise<T> {
  try {
    return await apply(0);
  } catch (error) {
    if (!isStale(error)) throw error;
  }
  try {
    return await apply(1);
  } catch (error) {
    if (isStale(error)) throw changedMeanwhile(record, error, { readAgain: true });
    throw error;
  }
}
