"""cfn-compliance: policy-as-code checker for the order-processing architecture."""

__version__ = "0.1.0"
