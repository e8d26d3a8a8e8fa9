"""One module per `vpclab` subcommand; each defines register(subparsers)."""
