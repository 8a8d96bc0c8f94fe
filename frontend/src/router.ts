import { useEffect, useState } from "react";

// Hash routing: the CDN serving the bucket has no SPA fallback, so paths live after "#".
export interface Route {
  path: string; // "/trades/ABC"
  segments: string[]; // ["trades", "ABC"] (decoded)
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, "") || "/";
  const [pathPart, queryPart = ""] = raw.split("?", 2);
  const path = pathPart.startsWith("/") ? pathPart : `/${pathPart}`;
  const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { path, segments, params: new URLSearchParams(queryPart) };
}

export function href(path: string, params?: Record<string, string | string[] | undefined>): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (Array.isArray(v)) {
      if (v.length) query.set(k, v.join(","));
    } else if (v) query.set(k, v);
  }
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}

export function navigate(to: string): void {
  window.location.hash = to.replace(/^#/, "");
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(window.location.hash));
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}
