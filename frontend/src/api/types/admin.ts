// Shapes of /api/admin/users and /api/admin/api-keys (shared/api/routes/admin.py).

export const ROLES = ["admin", "operator", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export interface AdminUser {
  id: string;
  tenant_id: string;
  username: string;
  display_name: string | null;
  role: Role;
  disabled: boolean;
  tenant?: string;
  created_at?: string;
  last_login_at?: string | null;
}

export interface NewUser {
  username: string;
  password: string;
  role: Role;
  display_name: string | null;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** Only in the answer to its creation: the key is stored hashed. */
  key?: string;
}
