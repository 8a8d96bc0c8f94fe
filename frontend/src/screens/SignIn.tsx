import { useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import { ProblemBox } from "../components/States";
import { useT } from "../i18n";

export function SignIn({ onSignIn }: { onSignIn: (username: string, password: string) => Promise<void> }) {
  const t = useT();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSignIn(username.trim(), password);
    } catch (exc) {
      setError(exc instanceof ApiError ? exc : new ApiError(0, "Error", String(exc), null));
      setBusy(false);
    }
  };

  return (
    <section className="signin" aria-labelledby="signin-title">
      <h1 id="signin-title">{t("signin.title")}</h1>
      <form onSubmit={submit}>
        <label htmlFor="username">{t("signin.username")}</label>
        <input id="username" name="username" autoComplete="username" required value={username}
          onChange={(e) => setUsername(e.target.value)} />
        <label htmlFor="password">{t("signin.password")}</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required
          value={password} onChange={(e) => setPassword(e.target.value)} />
        <button type="submit" disabled={busy}>
          {busy ? t("signin.busy") : t("signin.submit")}
        </button>
      </form>
      {error && <ProblemBox error={error} />}
    </section>
  );
}
