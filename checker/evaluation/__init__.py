"""The third stage: the rule catalogue, the checks (Python and Guard), and one template judged by every selected rule."""
