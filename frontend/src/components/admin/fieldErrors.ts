import { ApiError } from "../../api/client";

export interface SplitErrors {
  /** Messages to show next to each form field the API named. */
  byField: Record<string, string[]>;
  /** The rest of the problem (title, request id, errors naming no field of the form); its detail
   * is dropped when every error found its field, as it only repeats them. */
  rest: ApiError;
}

/** Splits a 422's `errors[]` between the form's fields (pydantic names nested fields
 * "a.b": the first part is the form field) and what is left for the problem box. */
export function splitFieldErrors(error: ApiError, fields: readonly string[]): SplitErrors {
  const byField: Record<string, string[]> = {};
  const unplaced = error.errors.filter((e) => {
    const name = (e.field ?? e.parameter ?? "").split(".")[0];
    if (!fields.includes(name)) return true;
    (byField[name] ??= []).push(e.message);
    return false;
  });
  const placedAll = error.errors.length > 0 && unplaced.length === 0;
  return {
    byField,
    rest: new ApiError(error.status, error.title, placedAll ? "" : error.detail, error.requestId, unplaced, error.reason),
  };
}
