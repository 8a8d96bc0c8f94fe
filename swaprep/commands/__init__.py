"""One module per `swaprep` subcommand, each exposing a click command named `command`."""
