"""A guided, hands-on tour of VPC networking: chapters that build resources and trace flows."""
