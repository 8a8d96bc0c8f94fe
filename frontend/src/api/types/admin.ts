// Shapes of /api/admin/users and /api/admin/api-keys (shared/api/routes/admin.py).
import { enumOf, type Schemas } from "./spec";

export type AdminUser = Schemas["User"];
export type Role = AdminUser["role"];
export const ROLES = enumOf<Role>()(["admin", "operator", "viewer", "client_viewer"]);
/** The tenant's own staff roles: a client_viewer is bound to its client when created and
 * stays one (the API refuses a change to or from it). */
export const STAFF_ROLES = ROLES.filter((r) => r !== "client_viewer");

export type NewUser = Schemas["NewUser"];
export type UserChange = Schemas["UserChange"];
/** `key` is only in the answer to its creation: the key is stored hashed. */
export type ApiKey = Schemas["ApiKey"];
export type NewKey = Schemas["NewKey"];
