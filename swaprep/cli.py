"""The `swaprep` command line (placeholder, grown below)."""
import click


@click.group()
def main() -> None:
    """Swap Reporting developer CLI."""
