"""vpclab: AWS VPC networking, running faithfully on one machine."""

__version__ = "0.1.0"
