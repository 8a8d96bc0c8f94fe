import { createContext, useContext } from "react";
import { api as defaultClient, type ApiClient, type User } from "./client";

export const ApiContext = createContext<ApiClient>(defaultClient);
export const useApi = (): ApiClient => useContext(ApiContext);

export interface Me {
  user: User;
  signOut: () => void;
}

export const MeContext = createContext<Me | null>(null);

/** The signed-in user; screens render only inside a session. */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe outside a session");
  return me;
}

/** Operators and admins may change things; viewers only read (the API refuses them too). */
export const canMutate = (user: User): boolean => user.role === "admin" || user.role === "operator";
