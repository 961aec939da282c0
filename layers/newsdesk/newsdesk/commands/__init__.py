"""CLI subcommands, one module per topic, each exposing `register(subparsers)`."""
