"""Published targets and the verify scorecard."""
