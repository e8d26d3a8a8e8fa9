"""vpclab: AWS VPC networking, running faithfully on one machine."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """Export `Network` lazily so `import vpclab` stays light."""
    if name == "Network":
        from vpclab.network import Network

        return Network
    raise AttributeError(f"module 'vpclab' has no attribute {name!r}")
