"""Developer-side tooling: the `swaprep` CLI and the local stand-in for NCP. Never shipped."""
